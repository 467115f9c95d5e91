# Malformed AUTH: bad base64, "=" (empty), no NULs, another authzid,
# another mechanism, a wrong password; the dialogue goes on.
A: -d 0 -f 5
S: +OK mail.test POP3 server ready
C: AUTH PLAIN Zm9v!
S: -ERR bad base64
C: AUTH PLAIN AGdvb2QAc2VjcmV0IHdvcmQ
S: -ERR bad base64
C: AUTH PLAIN =
S: -ERR malformed PLAIN response
C: AUTH PLAIN Z29vZA==
S: -ERR malformed PLAIN response
C: AUTH PLAIN AAA=
S: -ERR malformed PLAIN response
C: AUTH PLAIN Ym9iAGdvb2QAc2VjcmV0IHdvcmQ=
S: -ERR [AUTH] authorization identity not supported
C: AUTH DIGEST-MD5
S: -ERR unsupported mechanism
C: AUTH PLAIN
S: + 
C: not base64 at all
S: -ERR bad base64
C: AUTH PLAIN AGdvb2QAc2VjcmV0
S: -ERR [AUTH] authentication failed
C: APOP good 0123456789abcdef0123456789abcdef
S: -ERR APOP not available
C: QUIT
S: +OK bye
