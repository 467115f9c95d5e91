# USER/PASS with a space in the password, everything pipelined in one
# write: the commands after PASS reach the next program, none is lost.
A: -d 0
S: +OK mail.test POP3 server ready
C: USER good
C: PASS secret word
C: STAT
C: LIST
C: QUIT
S: +OK send PASS
S: +OK logged in
S: +OK 0 0
S: +OK
S: .
S: +OK bye
