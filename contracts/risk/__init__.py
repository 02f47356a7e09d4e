"""The early-warning score (probability of reaching 30 days past due in the next cycle).

``features`` turns a contract-id range's history into one row of numbers per contract as of a
date (numpy over a handful of ``values_list`` queries, the same code for training and for the
nightly scoring); ``rules`` is the transparent score used until a trained model exists;
``model`` applies a stored model version; ``training`` fits and evaluates one (scikit-learn).
"""
