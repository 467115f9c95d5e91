# A line cut by end of input is not a command: nothing reaches the checker.
A: -d 0
S: +OK mail.test POP3 server ready
C: USER good
S: +OK send PASS
R: PASS secret word
