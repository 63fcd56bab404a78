"""Who is calling: signed bearer tokens for staff and customers, verified against a key set.

`keys` holds the local signing keys (a JSON file of Ed25519 keys with key ids, rotated without
downtime); `tokens` issues tokens from them; `verification` checks a token against a JSON Web Key
Set, the local one or an OIDC issuer's, behind the `TokenVerifier` port.
`reloop_shared.http.authentication` turns that into route guards answering 401 or 403.
"""
