"""The ledger: an append-only Merkle log (RFC 6962/9162) of every version, custody event and protected read."""
