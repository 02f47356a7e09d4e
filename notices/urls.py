from django.urls import path

from notices.channels.sms import sms_delivery_receipt

app_name = "notices"

urlpatterns = [
    path("sms/receipts/", sms_delivery_receipt, name="sms_receipt"),
]
