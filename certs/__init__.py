"""PKI tooling of ibcert: the dev CA hierarchy, the server certificate and test client certificates."""
