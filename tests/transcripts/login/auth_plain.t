# AUTH PLAIN (RFC 5034): bare AUTH lists, initial response logs in.
A: -d 0
S: +OK mail.test POP3 server ready
C: AUTH
S: +OK mechanisms follow
S: PLAIN
S: LOGIN
S: .
C: auth plain AGdvb2QAc2VjcmV0IHdvcmQ=
S: +OK logged in
C: STAT
S: +OK 0 0
C: QUIT
S: +OK bye
