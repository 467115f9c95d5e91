# POP3_REQUIRE_TLS (set by a host rule) refuses cleartext logins.
A: -d 0
E: POP3_REQUIRE_TLS=1
S: +OK mail.test POP3 server ready
C: CAPA
S: +OK capability list follows
S: TOP
S: UIDL
S: RESP-CODES
S: AUTH-RESP-CODE
S: PIPELINING
S: UTF8
S: IMPLEMENTATION pop3login
S: .
C: USER good
S: -ERR [AUTH] cleartext login refused: use STLS first
C: PASS secret word
S: -ERR [AUTH] cleartext login refused: use STLS first
C: AUTH PLAIN AGdvb2QAc2VjcmV0IHdvcmQ=
S: -ERR [AUTH] cleartext login refused: use STLS first
C: AUTH
S: +OK mechanisms follow
S: .
C: QUIT
S: +OK bye
