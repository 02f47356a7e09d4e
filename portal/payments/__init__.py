"""Customer payments through a hosted checkout (sandbox or Alipay) that posts to the ledger."""
