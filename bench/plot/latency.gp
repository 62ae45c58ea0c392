# Latency by percentile (open loop), one curve per target: the x axis is in "nines" (50%, 90%, 99%, ...).
# gnuplot -e "datafile='...'; outfile='...'; t1='...'; t2='...'; t3='...'; slo=100" bench/plot/latency.gp
set terminal svg size 960,480 dynamic font "sans,12" background rgb "white"
set output outfile
set title "Latency by percentile, open loop (from the scheduled send time)"
set xlabel "percentile"
set ylabel "latency (ms, log scale)"
set logscale y
set grid xtics ytics mytics
set key outside right top
set xtics ("50%%" 0.30103, "75%%" 0.60206, "90%%" 1, "99%%" 2, "99.9%%" 3, "99.99%%" 4)
set xrange [0.25:4.1]
plot datafile using 2:3 with linespoints lw 2 pt 7 title t1, \
     datafile using 2:4 with linespoints lw 2 pt 5 title t2, \
     datafile using 2:5 with linespoints lw 2 pt 9 dt 2 title t3, \
     slo with lines lc rgb "#aa0000" dt 3 title sprintf("objective %g ms", slo)
