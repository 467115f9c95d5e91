# Greeting without APOP, CAPA, NOOP, QUIT.
A: -d 0
S: +OK mail.test POP3 server ready
C: CAPA
S: +OK capability list follows
S: TOP
S: UIDL
S: RESP-CODES
S: AUTH-RESP-CODE
S: PIPELINING
S: USER
S: SASL PLAIN LOGIN
S: UTF8 USER
S: IMPLEMENTATION pop3login
S: .
C: noop
S: +OK
C: QUIT
S: +OK bye
C: NOOP
