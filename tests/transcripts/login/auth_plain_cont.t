# AUTH PLAIN with the "+ " continuation: * cancels, then a response with
# an authorization identity equal to the user logs in.
A: -d 0
S: +OK mail.test POP3 server ready
C: AUTH PLAIN
S: + 
C: *
S: -ERR authentication cancelled
C: AUTH PLAIN
S: + 
C: Z29vZABnb29kAHNlY3JldCB3b3Jk
S: +OK logged in
C: QUIT
S: +OK bye
