# Overload charts from bench/overload.sh's data file: goodput and p99 against the offered rate, shedding on
# and off. gnuplot -e "datafile='...'; outdir='docs/img'; capacity=1234" bench/plot/overload.gp
set terminal svg size 960,480 dynamic font "sans,12" background rgb "white"
set grid
set key outside right top
set xlabel "offered load (requests/s, open loop)"
set arrow 1 from capacity, graph 0 to capacity, graph 1 nohead dt 3 lc rgb "#666666"
set label 1 sprintf("capacity %d/s", capacity) at capacity, graph 0.05 offset 0.5,0 font ",10"

set output outdir."/overload-goodput.svg"
set title "Goodput (2xx within the class objective) against offered load"
set ylabel "goodput (requests/s)"
set yrange [0:*]
plot datafile using 2:3 with linespoints lw 2 pt 7 title "shedding on", \
     datafile using 2:4 with linespoints lw 2 pt 5 title "shedding off", \
     datafile using 2:2 with lines dt 2 lc rgb "#999999" title "offered (ideal)"

set output outdir."/overload-p99.svg"
set title "p99 latency of 2xx answers against offered load"
set ylabel "p99 (ms, log scale)"
set logscale y
set yrange [*:*]
plot datafile using 2:5 with linespoints lw 2 pt 7 lc 1 title "critical, shedding on", \
     datafile using 2:6 with linespoints lw 2 pt 7 lc 1 dt 2 title "critical, shedding off", \
     datafile using 2:7 with linespoints lw 2 pt 5 lc 2 title "normal, shedding on", \
     datafile using 2:8 with linespoints lw 2 pt 5 lc 2 dt 2 title "normal, shedding off", \
     datafile using 2:9 with linespoints lw 2 pt 9 lc 3 title "sheddable, shedding on", \
     datafile using 2:10 with linespoints lw 2 pt 9 lc 3 dt 2 title "sheddable, shedding off", \
     250 with lines lw 1 lc 1 dt 3 title "objective: critical 250 ms", \
     100 with lines lw 1 lc 2 dt 3 title "normal 100 ms", \
     500 with lines lw 1 lc 3 dt 3 title "sheddable 500 ms"
