"""The access matrix: every URL pattern and API operation, asked by every kind of principal,
answers the status its row says; a URL without a row fails the test.

Principals (columns): anonymous; the customer who owns the object the row addresses; another
customer; agent; supervisor; field officer; an agency holding the owner's account; an agency
without it; compliance officer; administrator; an administrator who has not passed two-factor;
an API token with every scope; an API token with none. Every GET is asked first, then every
POST (an empty form: what is refused must be refused before anything is read), then log out.

The admin's model pages follow ``ADMIN`` (who may open a model's list, who may add one); the
object pages of a model (change, history, delete) are refused to whoever may not open its list.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.security.access_matrix import PARAMS, US_OWNED
from tests.security.access_world import PRINCIPALS, World, build_world
from tests.security.urls_walk import Route, all_routes

pytestmark = pytest.mark.django_db

# name                                   meth anon cust other agent sup field ag+ ag- comp admin no2fa tok tok0
TABLE = """
healthz                                  GET  200 200 200 200 200 200 200 200 200 200 200 200 200
healthz                                  POST 405 405 405 405 405 405 405 405 405 405 405 405 405
home                                     GET  302 302 302 302 302 302 302 302 302 302 302 302 302
home                                     POST 302 302 302 302 302 302 302 302 302 302 302 302 302
portal:dashboard                         GET  302 200 200 403 403 403 403 403 403 403 403 302 302
portal:dashboard                         POST 302 200 200 403 403 403 403 403 403 403 403 302 302
portal:contract                          GET  302 200 404 403 403 403 403 403 403 403 403 302 302
portal:contract                          POST 302 200 404 403 403 403 403 403 403 403 403 302 302
portal:pay                               GET  302 302 404 403 403 403 403 403 403 403 403 302 302
portal:pay                               POST 302 302 404 403 403 403 403 403 403 403 403 302 302
portal:plan_request                      GET  302 200 404 403 403 403 403 403 403 403 403 302 302
portal:plan_request                      POST 302 200 404 403 403 403 403 403 403 403 403 302 302
portal:validation_notice                 GET  302 200 404 403 403 403 403 403 403 403 403 302 302
portal:validation_notice                 POST 302 200 404 403 403 403 403 403 403 403 403 302 302
portal:validation_notice_pdf             GET  302 200 404 403 403 403 403 403 403 403 403 302 302
portal:validation_notice_pdf             POST 302 200 404 403 403 403 403 403 403 403 403 302 302
portal:messages                          GET  302 200 200 403 403 403 403 403 403 403 403 302 302
portal:messages                          POST 302 200 200 403 403 403 403 403 403 403 403 302 302
portal:message                           GET  302 200 404 403 403 403 403 403 403 403 403 302 302
portal:message                           POST 302 200 404 403 403 403 403 403 403 403 403 302 302
portal:message_letter                    GET  302 200 404 403 403 403 403 403 403 403 403 302 302
portal:message_letter                    POST 302 200 404 403 403 403 403 403 403 403 403 302 302
portal:preferences                       GET  302 200 200 403 403 403 403 403 403 403 403 302 302
portal:preferences                       POST 302 200 200 403 403 403 403 403 403 403 403 302 302
portal:electronic_delivery               GET  302 200 200 403 403 403 403 403 403 403 403 302 302
portal:electronic_delivery               POST 302 200 200 403 403 403 403 403 403 403 403 302 302
portal:electronic_delivery_withdraw      GET  302 405 405 403 403 403 403 403 403 403 403 302 302
portal:electronic_delivery_withdraw      POST 302 302 302 403 403 403 403 403 403 403 403 302 302
portal:visits                            GET  302 200 200 403 403 403 403 403 403 403 403 302 302
portal:visits                            POST 302 200 200 403 403 403 403 403 403 403 403 302 302
portal:visit_call_instead                GET  302 405 405 403 403 403 403 403 403 403 403 302 302
portal:visit_call_instead                POST 302 302 404 403 403 403 403 403 403 403 403 302 302
portal:appeals                           GET  302 200 200 403 403 403 403 403 403 403 403 302 302
portal:appeals                           POST 302 200 200 403 403 403 403 403 403 403 403 302 302
portal:appeal_new                        GET  302 200 200 403 403 403 403 403 403 403 403 302 302
portal:appeal_new                        POST 302 200 200 403 403 403 403 403 403 403 403 302 302
portal:appeal                            GET  302 200 404 403 403 403 403 403 403 403 403 302 302
portal:appeal                            POST 302 200 404 403 403 403 403 403 403 403 403 302 302
portal:appeal_evidence                   GET  302 200 404 403 403 403 403 403 403 403 403 302 302
portal:appeal_evidence                   POST 302 405 405 403 403 403 403 403 403 403 403 302 302
login_code                               GET  200 200 200 200 200 200 200 200 200 200 200 200 200
login_code                               POST 200 200 200 200 200 200 200 200 200 200 200 200 200
login_code_verify                        GET  302 302 302 302 302 302 302 302 302 302 302 302 302
login_code_verify                        POST 302 302 302 302 302 302 302 302 302 302 302 302 302
accounts:login                           GET  200 302 302 302 302 302 302 302 302 302 302 200 200
accounts:login                           POST 200 302 302 302 302 302 302 302 302 302 302 200 200
accounts:logout                          GET  405 405 405 405 405 405 405 405 405 405 405 405 405
accounts:logout                          POST 302 302 302 302 302 302 302 302 302 302 302 302 302
accounts:password_change                 GET  302 200 200 200 200 200 200 200 200 200 200 302 302
accounts:password_change                 POST 302 200 200 200 200 200 200 200 200 200 200 302 302
accounts:password_change_done            GET  302 200 200 200 200 200 200 200 200 200 200 302 302
accounts:password_change_done            POST 302 405 405 405 405 405 405 405 405 405 405 302 302
accounts:password_reset                  GET  200 200 200 200 200 200 200 200 200 200 200 200 200
accounts:password_reset                  POST 200 200 200 200 200 200 200 200 200 200 200 200 200
accounts:password_reset_done             GET  200 200 200 200 200 200 200 200 200 200 200 200 200
accounts:password_reset_done             POST 405 405 405 405 405 405 405 405 405 405 405 405 405
accounts:password_reset_confirm          GET  200 200 200 200 200 200 200 200 200 200 200 200 200
accounts:password_reset_confirm          POST 200 200 200 200 200 200 200 200 200 200 200 200 200
accounts:password_reset_complete         GET  200 200 200 200 200 200 200 200 200 200 200 200 200
accounts:password_reset_complete         POST 405 405 405 405 405 405 405 405 405 405 405 405 405
accounts:2fa_setup                       GET  302 200 200 302 302 302 302 302 302 302 200 302 302
accounts:2fa_setup                       POST 302 200 200 302 302 302 302 302 302 302 200 302 302
accounts:2fa_verify                      GET  302 200 200 200 200 200 200 200 200 200 200 302 302
accounts:2fa_verify                      POST 302 200 200 200 200 200 200 200 200 200 200 302 302
accounts:2fa_replace                     GET  302 302 302 200 200 200 200 200 200 200 302 302 302
accounts:2fa_replace                     POST 302 302 302 200 200 200 200 200 200 200 302 302 302
accounts:2fa_backup_codes                GET  302 302 302 200 200 200 200 200 200 200 302 302 302
accounts:2fa_backup_codes                POST 302 302 302 302 302 302 302 302 302 302 302 302 302
staff:home                               GET  302 403 403 200 200 200 200 200 200 200 302 302 302
staff:home                               POST 302 403 403 200 200 200 200 200 200 200 302 302 302
staff:customers                          GET  302 403 403 200 200 200 200 200 200 200 302 302 302
staff:customers                          POST 302 403 403 200 200 200 200 200 200 200 302 302 302
staff:customer_detail                    GET  302 403 403 200 200 200 200 404 200 200 302 302 302
staff:customer_detail                    POST 302 403 403 200 200 200 200 404 200 200 302 302 302
staff:customer_unmask                    GET  302 403 403 405 405 405 403 403 405 405 302 302 302
staff:customer_unmask                    POST 302 403 403 400 400 400 403 403 400 400 302 302 302
staff:account_action                     GET  302 403 403 405 405 403 405 405 403 405 302 302 302
staff:account_action                     POST 302 403 403 400 400 403 400 404 403 400 302 302 302
staff:queue                              GET  302 403 403 200 200 403 200 200 403 200 302 302 302
staff:queue                              POST 302 403 403 405 405 403 405 405 403 405 302 302 302
staff:queue_next                         GET  302 403 403 302 302 403 302 302 403 302 302 302 302
staff:queue_next                         POST 302 403 403 405 405 403 405 405 403 405 302 302 302
staff:queue_assign                       GET  302 403 403 403 405 403 403 403 403 405 302 302 302
staff:queue_assign                       POST 302 403 403 403 302 403 403 403 403 302 302 302 302
staff:saved_view_save                    GET  302 403 403 405 405 403 405 405 403 405 302 302 302
staff:saved_view_save                    POST 302 403 403 302 302 403 302 302 403 302 302 302 302
staff:saved_view_delete                  GET  302 403 403 405 405 403 405 405 403 405 302 302 302
staff:saved_view_delete                  POST 302 403 403 302 302 403 302 302 403 302 302 302 302
staff:agencies                           GET  302 403 403 403 200 403 403 403 403 200 302 302 302
staff:agencies                           POST 302 403 403 403 405 403 403 403 403 405 302 302 302
staff:placement_recall                   GET  302 403 403 403 405 403 403 403 403 405 302 302 302
staff:placement_recall                   POST 302 403 403 403 302 403 403 403 403 302 302 302 302
staff:waiver_requests                    GET  302 403 403 403 200 403 403 403 403 200 302 302 302
staff:waiver_requests                    POST 302 403 403 403 405 403 403 403 403 405 302 302 302
staff:waiver_request_decide              GET  302 403 403 403 405 403 403 403 403 405 302 302 302
staff:waiver_request_decide              POST 302 403 403 403 302 403 403 403 403 302 302 302 302
staff:visit_requests                     GET  302 403 403 403 200 403 403 403 403 200 302 302 302
staff:visit_requests                     POST 302 403 403 403 405 403 403 403 403 405 302 302 302
staff:visit_request_decide               GET  302 403 403 403 200 403 403 403 403 200 302 302 302
staff:visit_request_decide               POST 302 403 403 403 400 403 403 403 403 400 302 302 302
staff:visit_request_new                  GET  302 403 403 200 200 403 200 404 403 200 302 302 302
staff:visit_request_new                  POST 302 403 403 400 400 403 400 404 403 400 302 302 302
staff:my_visits                          GET  302 403 403 200 200 200 403 403 403 200 302 302 302
staff:my_visits                          POST 302 403 403 405 405 405 403 403 403 405 302 302 302
staff:visit_detail                       GET  302 403 403 404 200 200 403 403 403 200 302 302 302
staff:visit_detail                       POST 302 403 403 405 405 405 403 403 403 405 302 302 302
staff:visit_report                       GET  302 403 403 405 405 405 403 403 403 405 302 302 302
staff:visit_report                       POST 302 403 403 404 400 400 403 403 403 400 302 302 302
staff:visit_letter                       GET  302 403 403 404 200 200 404 404 404 200 302 302 302
staff:visit_letter                       POST 302 403 403 405 405 405 405 405 405 405 302 302 302
staff:claims                             GET  302 403 403 403 200 403 403 403 403 200 302 302 302
staff:claims                             POST 302 403 403 403 405 403 403 403 403 405 302 302 302
staff:claim_detail                       GET  302 403 403 403 200 403 403 403 403 200 302 302 302
staff:claim_detail                       POST 302 403 403 403 405 403 403 403 403 405 302 302 302
staff:claim_package                      GET  302 403 403 403 200 403 403 403 403 200 302 302 302
staff:claim_package                      POST 302 403 403 403 405 403 403 403 403 405 302 302 302
staff:claim_action                       GET  302 403 403 403 405 403 403 403 403 405 302 302 302
staff:claim_action                       POST 302 403 403 403 400 403 403 403 403 400 302 302 302
staff:contract_guarantees                GET  302 403 403 403 200 403 403 403 403 200 302 302 302
staff:contract_guarantees                POST 302 403 403 403 400 403 403 403 403 400 302 302 302
staff:guarantee_claim_new                GET  302 403 403 403 405 403 403 403 403 405 302 302 302
staff:guarantee_claim_new                POST 302 403 403 403 400 403 403 403 403 400 302 302 302
staff:legal_cases                        GET  302 403 403 403 200 403 403 403 403 200 302 302 302
staff:legal_cases                        POST 302 403 403 403 405 403 403 403 403 405 302 302 302
staff:legal_case_detail                  GET  302 403 403 403 200 403 403 403 403 200 302 302 302
staff:legal_case_detail                  POST 302 403 403 403 405 403 403 403 403 405 302 302 302
staff:legal_bundle                       GET  302 403 403 403 200 403 403 403 403 200 302 302 302
staff:legal_bundle                       POST 302 403 403 403 405 403 403 403 403 405 302 302 302
staff:legal_case_action                  GET  302 403 403 403 405 403 403 403 403 405 302 302 302
staff:legal_case_action                  POST 302 403 403 403 400 403 403 403 403 400 302 302 302
staff:contract_legal                     GET  302 403 403 403 200 403 403 403 403 200 302 302 302
staff:contract_legal                     POST 302 403 403 403 400 403 403 403 403 400 302 302 302
staff:contract_detail                    GET  302 403 403 200 200 200 200 404 200 200 302 302 302
staff:contract_detail                    POST 302 403 403 403 302 403 403 404 302 302 302 302 302
staff:validation_notice                  GET  302 403 403 200 200 403 403 403 200 200 302 302 302
staff:validation_notice                  POST 302 403 403 200 200 403 403 403 200 200 302 302 302
staff:verification_send                  GET  302 403 403 405 405 403 403 403 405 405 302 302 302
staff:verification_send                  POST 302 403 403 302 302 403 403 403 302 302 302 302 302
staff:import                             GET  302 403 403 403 403 403 403 403 403 200 302 302 302
staff:import                             POST 302 403 403 403 403 403 403 403 403 200 302 302 302
staff:import_template                    GET  302 403 403 403 403 403 403 403 403 200 302 302 302
staff:import_template                    POST 405 405 405 405 405 405 405 405 405 405 302 405 405
staff:import_job                         GET  302 403 403 403 403 403 403 403 403 200 302 302 302
staff:import_job                         POST 405 405 405 405 405 405 405 405 405 405 302 405 405
staff:outbox                             GET  302 403 403 403 200 403 403 403 200 200 302 302 302
staff:outbox                             POST 302 403 403 403 200 403 403 403 200 200 302 302 302
staff:notice_detail                      GET  302 403 403 403 200 403 403 403 200 200 302 302 302
staff:notice_detail                      POST 302 403 403 403 200 403 403 403 200 200 302 302 302
staff:mail_viewer                        GET  302 403 403 200 200 200 403 403 200 200 302 302 302
staff:mail_viewer                        POST 302 403 403 200 200 200 403 403 200 200 302 302 302
staff:appeal_queue                       GET  302 403 403 200 200 403 403 403 200 200 302 302 302
staff:appeal_queue                       POST 302 403 403 405 405 403 403 403 405 405 302 302 302
staff:appeal_case                        GET  302 403 403 200 200 403 403 403 200 200 302 302 302
staff:appeal_case                        POST 302 403 403 302 302 403 403 403 302 302 302 302 302
staff:appeal_case_evidence               GET  302 403 403 200 200 403 403 403 200 200 302 302 302
staff:appeal_case_evidence               POST 302 403 403 405 405 403 403 403 405 405 302 302 302
staff:appeal_file_for_customer           GET  302 403 403 200 200 403 403 403 200 200 302 302 302
staff:appeal_file_for_customer           POST 302 403 403 200 200 403 403 403 200 200 302 302 302
staff:appeal_sla_report                  GET  302 403 403 403 200 403 403 403 200 200 302 302 302
staff:appeal_sla_report                  POST 302 403 403 403 405 403 403 403 405 405 302 302 302
staff:reports                            GET  302 403 403 403 200 403 403 403 200 200 302 302 302
staff:reports                            POST 302 403 403 403 200 403 403 403 200 200 302 302 302
staff:report                             GET  302 403 403 403 200 403 403 403 200 200 302 302 302
staff:report                             POST 302 403 403 403 200 403 403 403 200 200 302 302 302
notices:sms_receipt                      GET  405 405 405 405 405 405 405 405 405 405 405 405 405
notices:sms_receipt                      POST 403 403 403 403 403 403 403 403 403 403 403 403 403
payments:start                           GET  302 404 404 403 403 403 403 403 403 403 403 302 302
payments:start                           POST 302 404 404 403 403 403 403 403 403 403 403 302 302
payments:sandbox                         GET  302 200 404 403 403 403 403 403 403 403 403 302 302
payments:sandbox                         POST 302 200 404 403 403 403 403 403 403 403 403 302 302
payments:callback_sandbox                GET  405 405 405 405 405 405 405 405 405 405 405 405 405
payments:callback_sandbox                POST 403 403 403 403 403 403 403 403 403 403 403 403 403
payments:callback_alipay                 GET  405 405 405 405 405 405 405 405 405 405 405 405 405
payments:callback_alipay                 POST 403 403 403 403 403 403 403 403 403 403 403 403 403
payments:status                          GET  302 200 404 403 403 403 403 403 403 403 403 302 302
payments:status                          POST 302 200 404 403 403 403 403 403 403 403 403 302 302
payments:receipt                         GET  302 302 404 403 403 403 403 403 403 403 403 302 302
payments:receipt                         POST 302 302 404 403 403 403 403 403 403 403 403 302 302
payments:receipt_pdf                     GET  302 404 404 403 403 403 403 403 403 403 403 302 302
payments:receipt_pdf                     POST 302 404 404 403 403 403 403 403 403 403 403 302 302
set_language                             GET  302 302 302 302 302 302 302 302 302 302 302 302 302
set_language                             POST 302 302 302 302 302 302 302 302 302 302 302 302 302
admin:index                              GET  302 302 302 200 200 200 200 200 200 200 302 302 302
admin:index                              POST 302 302 302 200 200 200 200 200 200 200 302 302 302
admin:login                              GET  302 302 302 302 302 302 302 302 302 302 302 302 302
admin:login                              POST 302 302 302 302 302 302 302 302 302 302 302 302 302
admin:logout                             GET  302 302 302 405 405 405 405 405 405 405 302 302 302
admin:logout                             POST 302 302 302 302 302 302 302 302 302 302 302 302 302
admin:password_change                    GET  302 302 302 200 200 200 200 200 200 200 302 302 302
admin:password_change                    POST 302 302 302 200 200 200 200 200 200 200 302 302 302
admin:password_change_done               GET  302 302 302 200 200 200 200 200 200 200 302 302 302
admin:password_change_done               POST 302 302 302 405 405 405 405 405 405 405 302 302 302
admin:autocomplete                       GET  302 302 302 403 403 403 403 403 403 403 302 302 302
admin:autocomplete                       POST 302 302 302 405 405 405 405 405 405 405 302 302 302
admin:jsi18n                             GET  302 302 302 200 200 200 200 200 200 200 302 302 302
admin:jsi18n                             POST 302 302 302 405 405 405 405 405 405 405 302 302 302
admin:view_on_site                       GET  302 302 302 404 404 404 404 404 404 404 302 302 302
admin:view_on_site                       POST 302 302 302 404 404 404 404 404 404 404 302 302 302
admin:auth_user_password_change          GET  302 302 302 403 403 403 403 403 403 200 302 302 302
admin:auth_user_password_change          POST 302 302 302 403 403 403 403 403 403 200 302 302 302
admin:app_list                           GET  302 302 302 404 404 404 404 404 200 200 302 302 302
admin:app_list                           POST 302 302 302 404 404 404 404 404 200 200 302 302 302
api-schema                               GET  200 200 200 200 200 200 200 200 200 200 200 200 200
api-schema                               POST 405 405 405 405 405 405 405 405 405 405 405 405 405
api-docs                                 GET  200 200 200 200 200 200 200 200 200 200 200 200 200
api-docs                                 POST 405 405 405 405 405 405 405 405 405 405 405 405 405
api-redoc                                GET  200 200 200 200 200 200 200 200 200 200 200 200 200
api-redoc                                POST 405 405 405 405 405 405 405 405 405 405 405 405 405
cases_api:list                           GET  403 200 200 403 403 403 403 403 403 403 403 403 403
cases_api:list                           POST 403 400 400 403 403 403 403 403 403 403 403 403 403
cases_api:detail                         GET  403 200 404 403 403 403 403 403 403 403 403 403 403
cases_api:detail                         POST 403 405 405 403 403 403 403 403 403 403 403 403 403
api:customers                            GET  401 403 403 403 403 403 403 403 200 200 403 200 403
api:customers                            POST 401 403 403 403 403 403 403 403 403 400 403 400 403
api:customer                             GET  401 403 403 403 403 403 403 403 200 200 403 200 403
api:customer                             POST 401 403 403 403 403 403 403 403 405 405 403 405 403
api:contracts                            GET  401 403 403 403 403 403 403 403 200 200 403 200 403
api:contracts                            POST 401 403 403 403 403 403 403 403 403 400 403 400 403
api:contracts_bulk                       GET  401 403 403 403 403 403 403 403 403 405 403 405 403
api:contracts_bulk                       POST 401 403 403 403 403 403 403 403 403 400 403 400 403
api:contract                             GET  401 403 403 403 403 403 403 403 200 200 403 200 403
api:contract                             POST 401 403 403 403 403 403 403 403 405 405 403 405 403
api:contract_balance                     GET  401 403 403 403 403 403 403 403 200 200 403 200 403
api:contract_balance                     POST 401 403 403 403 403 403 403 403 405 405 403 405 403
api:contract_payoff_quote                GET  401 403 403 403 403 403 403 403 200 200 403 200 403
api:contract_payoff_quote                POST 401 403 403 403 403 403 403 403 405 405 403 405 403
api:payments                             GET  401 403 403 403 403 403 403 403 200 200 403 200 403
api:payments                             POST 401 403 403 403 403 403 403 403 403 400 403 400 403
api:payment                              GET  401 403 403 403 403 403 403 403 200 200 403 200 403
api:payment                              POST 401 403 403 403 403 403 403 403 405 405 403 405 403
api:payment_reverse                      GET  401 403 403 403 403 403 403 403 403 405 403 405 403
api:payment_reverse                      POST 401 403 403 403 403 403 403 403 403 400 403 400 403
api:service_eligibility                  GET  401 403 403 403 403 403 403 403 400 400 403 400 403
api:service_eligibility                  POST 401 403 403 403 403 403 403 403 405 405 403 405 403
api:notices                              GET  401 403 403 403 403 403 403 403 200 200 403 200 403
api:notices                              POST 401 403 403 403 403 403 403 403 405 405 403 405 403
api:notice                               GET  401 403 403 403 403 403 403 403 200 200 403 200 403
api:notice                               POST 401 403 403 403 403 403 403 403 405 405 403 405 403
api:appeals                              GET  401 403 403 403 403 403 403 403 403 200 403 200 403
api:appeals                              POST 401 403 403 403 403 403 403 403 403 400 403 400 403
api:appeal                               GET  401 403 403 403 403 403 403 403 403 200 403 200 403
api:appeal                               POST 401 403 403 403 403 403 403 403 403 405 403 405 403
api:imports                              GET  401 403 403 403 403 403 403 403 405 405 403 405 403
api:imports                              POST 401 403 403 403 403 403 403 403 400 400 403 400 403
api:import                               GET  401 403 403 403 403 403 403 403 404 200 403 200 403
api:import                               POST 401 403 403 403 403 403 403 403 405 405 403 405 403
api:delinquency_events                   GET  401 403 403 403 403 403 403 403 200 200 403 200 403
api:delinquency_events                   POST 401 403 403 403 403 403 403 403 405 405 403 405 403
api:webhooks                             GET  401 403 403 403 403 403 403 403 403 403 403 200 403
api:webhooks                             POST 401 403 403 403 403 403 403 403 400 400 403 400 403
api:webhook                              GET  401 403 403 403 403 403 403 403 403 403 403 200 403
api:webhook                              POST 405 405 405 405 405 405 405 405 405 405 405 405 405
"""

# app_label.model                         page anon cust other agent sup field ag+ ag- comp admin no2fa tok tok0
ADMIN = """
auth.group                               LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
auth.group                               ADD  302 302 302 403 403 403 403 403 403 200 302 302 302
axes.accessattempt                       LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
axes.accessattempt                       ADD  302 302 302 403 403 403 403 403 403 403 302 302 302
axes.accesslog                           LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
axes.accesslog                           ADD  302 302 302 403 403 403 403 403 403 403 302 302 302
axes.accessfailurelog                    LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
axes.accessfailurelog                    ADD  302 302 302 403 403 403 403 403 403 403 302 302 302
django_celery_beat.periodictask          LIST 302 302 302 403 403 403 403 403 200 200 302 302 302
django_celery_beat.periodictask          ADD  302 302 302 403 403 403 403 403 403 200 302 302 302
django_celery_beat.clockedschedule       LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
django_celery_beat.clockedschedule       ADD  302 302 302 403 403 403 403 403 403 200 302 302 302
django_celery_beat.crontabschedule       LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
django_celery_beat.crontabschedule       ADD  302 302 302 403 403 403 403 403 403 200 302 302 302
django_celery_beat.solarschedule         LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
django_celery_beat.solarschedule         ADD  302 302 302 403 403 403 403 403 403 200 302 302 302
django_celery_beat.intervalschedule      LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
django_celery_beat.intervalschedule      ADD  302 302 302 403 403 403 403 403 403 200 302 302 302
audit.auditevent                         LIST 302 302 302 403 200 403 403 403 200 200 302 302 302
audit.auditevent                         ADD  302 302 302 403 403 403 403 403 403 403 302 302 302
audit.auditcheckpoint                    LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
audit.auditcheckpoint                    ADD  302 302 302 403 403 403 403 403 403 403 302 302 302
accounts.user                            LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
accounts.user                            ADD  302 302 302 403 403 403 403 403 403 200 302 302 302
accounts.customerprofile                 LIST 302 302 302 200 200 403 403 403 200 200 302 302 302
accounts.customerprofile                 ADD  302 302 302 403 403 403 403 403 403 200 302 302 302
accounts.staffprofile                    LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
accounts.staffprofile                    ADD  302 302 302 403 403 403 403 403 403 200 302 302 302
accounts.apiclient                       LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
accounts.apiclient                       ADD  302 302 302 403 403 403 403 403 403 200 302 302 302
accounts.apitoken                        LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
accounts.apitoken                        ADD  302 302 302 403 403 403 403 403 403 200 302 302 302
accounts.webhookendpoint                 LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
accounts.webhookendpoint                 ADD  302 302 302 403 403 403 403 403 403 403 302 302 302
accounts.webhookdelivery                 LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
accounts.webhookdelivery                 ADD  302 302 302 403 403 403 403 403 403 403 302 302 302
contracts.product                        LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
contracts.product                        ADD  302 302 302 403 403 403 403 403 403 200 302 302 302
contracts.loanprimerate                  LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
contracts.loanprimerate                  ADD  302 302 302 403 403 403 403 403 403 200 302 302 302
contracts.stateratecap                   LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
contracts.stateratecap                   ADD  302 302 302 403 403 403 403 403 403 200 302 302 302
contracts.termsversion                   LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
contracts.termsversion                   ADD  302 302 302 403 403 403 403 403 403 200 302 302 302
contracts.contract                       LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
contracts.contract                       ADD  302 302 302 403 403 403 403 403 403 403 302 302 302
contracts.payment                        LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
contracts.payment                        ADD  302 302 302 403 403 403 403 403 403 403 302 302 302
contracts.repaymentplan                  LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
contracts.repaymentplan                  ADD  302 302 302 403 403 403 403 403 403 403 302 302 302
contracts.promisetopay                   LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
contracts.promisetopay                   ADD  302 302 302 403 403 403 403 403 403 403 302 302 302
contracts.limitationperiod               LIST 302 302 302 403 403 403 403 403 200 200 302 302 302
contracts.limitationperiod               ADD  302 302 302 403 403 403 403 403 200 200 302 302 302
notices.noticetemplate                   LIST 302 302 302 403 403 403 403 403 200 200 302 302 302
notices.noticetemplate                   ADD  302 302 302 403 403 403 403 403 200 200 302 302 302
notices.escalationladder                 LIST 302 302 302 403 403 403 403 403 200 200 302 302 302
notices.escalationladder                 ADD  302 302 302 403 403 403 403 403 403 200 302 302 302
notices.contactruletightening            LIST 302 302 302 403 403 403 403 403 200 200 302 302 302
notices.contactruletightening            ADD  302 302 302 403 403 403 403 403 200 200 302 302 302
notices.notice                           LIST 302 302 302 403 200 403 403 403 200 200 302 302 302
notices.notice                           ADD  302 302 302 403 403 403 403 403 403 403 302 302 302
notices.contactattempt                   LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
notices.contactattempt                   ADD  302 302 302 403 403 403 403 403 403 403 302 302 302
notices.inappmessage                     LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
notices.inappmessage                     ADD  302 302 302 403 403 403 403 403 403 403 302 302 302
notices.calltask                         LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
notices.calltask                         ADD  302 302 302 403 403 403 403 403 403 403 302 302 302
notices.deliveryreceipt                  LIST 302 302 302 403 403 403 403 403 403 200 302 302 302
notices.deliveryreceipt                  ADD  302 302 302 403 403 403 403 403 403 403 302 302 302
appeals.calendaryear                     LIST 302 302 302 403 403 403 403 403 200 200 302 302 302
appeals.calendaryear                     ADD  302 302 302 403 403 403 403 403 200 200 302 302 302
cases.agency                             LIST 302 302 302 403 200 403 403 403 403 200 302 302 302
cases.agency                             ADD  302 302 302 403 200 403 403 403 403 200 302 302 302
cases.team                               LIST 302 302 302 403 200 403 403 403 403 200 302 302 302
cases.team                               ADD  302 302 302 403 200 403 403 403 403 200 302 302 302
cases.agencyplacement                    LIST 302 302 302 403 200 403 403 403 403 200 302 302 302
cases.agencyplacement                    ADD  302 302 302 403 403 403 403 403 403 403 302 302 302
"""

# Asked last: they end the session.
SESSION_ENDERS = ("admin:logout", "accounts:logout")
STANDARD_ADMIN_VIEWS = ("changelist", "add", "change", "delete", "history")


def _parse(text: str) -> dict[tuple[str, str], list[int]]:
    rows: dict[tuple[str, str], list[int]] = {}
    for line in text.strip().splitlines():
        name, method, *codes = line.split()
        assert len(codes) == len(PRINCIPALS), f"row {name} {method}: {len(codes)} columns"
        assert (name, method) not in rows, f"row {name} {method} twice"
        rows[(name, method)] = [int(code) for code in codes]
    return rows


ROWS = _parse(TABLE)


def _admin_model_views() -> dict[str, str]:
    """URL name -> "app_label.model" for the admin's standard model pages."""
    views = {}
    for model in admin.site._registry:
        label = f"{model._meta.app_label}_{model._meta.model_name}"
        for view in STANDARD_ADMIN_VIEWS:
            views[f"admin:{label}_{view}"] = f"{model._meta.app_label}.{model._meta.model_name}"
    return views


def _needs_row(route: Route) -> bool:
    if route.name in _admin_model_views():
        return False
    # Django's admin redirects <object_id>/ to <object_id>/change/ (the model's change page) and
    # answers every other admin/ path with its catch-all view: both follow the model's pages.
    return not (route.route.startswith("admin/") and route.name == route.route)


def test_every_url_pattern_has_a_row():
    missing = [
        f"{r.name} {m}" for r in all_routes() if _needs_row(r) for m in ("GET", "POST") if (r.name, m) not in ROWS
    ]
    assert not missing, "URL patterns without a row in the access matrix: " + ", ".join(missing)
    stale = {name for name, _m in ROWS} - {r.name for r in all_routes()}
    assert not stale, f"rows for URL patterns that no longer exist: {sorted(stale)}"


def _url(w: World, route: Route) -> str:
    given = PARAMS.get(route.name, {})
    kwargs = {p: w.ids.get(given[p], given[p]) for p in route.params}
    return reverse(route.name, kwargs=kwargs)


def _client(w: World, name: str, principal: str):  # type: ignore[no-untyped-def]
    if name in US_OWNED and principal in w.us_clients:
        return w.us_clients[principal]
    return w.clients[principal]


# Who must never read the owner's name or account number in any page or answer.
OUTSIDERS = ("anonymous", "other_customer", "agency_unplaced", "token_none")


def _leaks(w: World, principal: str, response) -> bool:  # type: ignore[no-untyped-def]
    if principal not in OUTSIDERS or response.status_code != 200 or response.streaming:
        return False
    body = response.content.decode(errors="replace")
    return w.ids["owner_name"] in body or w.ids["contract_number"] in body


def test_every_url_answers_every_principal_as_its_row_says():
    w = build_world()
    mine = w.clients["customer"].get(reverse("portal:contract", args=[w.ids["contract"]])).content.decode()
    assert w.ids["contract_number"] in mine and w.ids["owner_name"] in mine  # what a leak would show
    routes = {r.name: r for r in all_routes() if _needs_row(r)}
    wrong: list[str] = []
    order = [(n, m) for m in ("GET", "POST") for n in routes if n not in SESSION_ENDERS]
    order += [(n, m) for n in SESSION_ENDERS for m in ("GET", "POST")]
    for name, method in order:
        url = _url(w, routes[name])
        for principal, expected in zip(PRINCIPALS, ROWS[(name, method)], strict=True):
            response = getattr(_client(w, name, principal), method.lower())(url)
            if response.status_code != expected:
                wrong.append(f"{method} {url} ({name}) as {principal}: {response.status_code}, expected {expected}")
            if _leaks(w, principal, response):
                wrong.append(f"{method} {url} ({name}) as {principal}: shows the owner's name or account")
    assert not wrong, "\n".join(wrong)


ADMIN_ROWS = _parse(ADMIN)


def test_every_admin_model_has_a_row():
    labels = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    missing = sorted(
        f"{label} {kind}" for label in labels for kind in ("LIST", "ADD") if (label, kind) not in ADMIN_ROWS
    )
    assert not missing, "admin models without a row in the access matrix: " + ", ".join(missing)


def test_every_admin_model_page_answers_every_principal_as_its_row_says():
    w = build_world()
    wrong: list[str] = []
    for model, model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        listing = ADMIN_ROWS[(label, "LIST")]
        pages = [(reverse(f"{prefix}_changelist"), listing), (reverse(f"{prefix}_add"), ADMIN_ROWS[(label, "ADD")])]
        obj = model_admin.get_queryset(_request_as(w.users["admin"])).order_by("pk").first()
        if obj is not None:
            for view in ("change", "history"):
                pages.append((reverse(f"{prefix}_{view}", args=[obj.pk]), listing))
            # Deleting is refused to whoever may not open the list (the others: by the model's rule).
            denied = [code if code != 200 else None for code in listing]
            pages.append((reverse(f"{prefix}_delete", args=[obj.pk]), denied))
        for url, codes in pages:
            for principal, expected in zip(PRINCIPALS, codes, strict=True):
                if expected is None:
                    continue
                got = w.clients[principal].get(url).status_code
                if got != expected:
                    wrong.append(f"GET {url} as {principal}: {got}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def _request_as(user):  # type: ignore[no-untyped-def]
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request
