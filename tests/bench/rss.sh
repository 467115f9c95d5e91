#!/bin/sh
# tests/bench/rss.sh ROOTPID [NAME...]: the peak RSS (VmHWM, kB) of each
# process below ROOTPID (the server's tcpserver or Dovecot master),
# optionally only those whose command name is one of NAME; prints
# "rss_kb=MAX rss_procs=name:kB,..." for the benchmark.  Run while a
# session is still open, so its processes are there to be read.
root=$1
shift
want=" $* "
procs=""
max=0
walk() {
	local child name hwm
	for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		name=$(cat /proc/"$child"/comm 2>/dev/null) || continue
		hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/"$child"/status 2>/dev/null)
		if [ -n "$hwm" ] && { [ "$want" = "  " ] || case $want in *" $name "*) true ;; *) false ;; esac; }; then
			procs="$procs${procs:+,}$name:$hwm"
			[ "$hwm" -gt "$max" ] && max=$hwm
		fi
		walk "$child"
	done
}
walk "$root"
echo "rss_kb=$max rss_procs=$procs"
