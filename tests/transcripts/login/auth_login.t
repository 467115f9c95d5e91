# AUTH LOGIN: the two prompts, * at either, the initial-response form.
A: -d 0
S: +OK mail.test POP3 server ready
C: AUTH LOGIN
S: + VXNlcm5hbWU6
C: *
S: -ERR authentication cancelled
C: AUTH LOGIN Z29vZA==
S: + UGFzc3dvcmQ6
C: *
S: -ERR authentication cancelled
C: AUTH LOGIN
S: + VXNlcm5hbWU6
C: Z29vZA==
S: + UGFzc3dvcmQ6
C: c2VjcmV0IHdvcmQ=
S: +OK logged in
C: QUIT
S: +OK bye
