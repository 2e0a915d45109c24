#!/usr/bin/env python3
# Independent reference values for test_trend.c: brute force over
# itertools.combinations, collections.Counter for tie groups, statistics.median,
# math.erfc. Shares no code with analysis/trend.c. Run: python3 trend_reference.py
import math, itertools, statistics
from collections import Counter
def sgn(v): return (v>0)-(v<0)
def mk(ts, xs):
    n=len(xs); pts=sorted(zip(ts,xs))
    S=sum(sgn(b[1]-a[1]) for a,b in itertools.combinations(pts,2))
    ties=sum(t*(t-1)*(2*t+5) for t in Counter(xs).values())
    var=(n*(n-1)*(2*n+5)-ties)/18
    z=0 if S==0 else (S-sgn(S))/math.sqrt(var)
    p=math.erfc(abs(z)/math.sqrt(2))
    return S,var,z,p,S/(n*(n-1)/2)
def sen(ts,xs):
    pts=sorted(zip(ts,xs))
    sl=[(b[1]-a[1])/(b[0]-a[0]) for a,b in itertools.combinations(pts,2)]
    m=statistics.median(sl)
    return m, statistics.median(xs)-m*statistics.median(ts)
def seasonal(pts):  # pts: (season, year, x)
    S=0;var=0;pairs=0;sl=[]
    for s in range(1,5):
        q=sorted((y,x) for (ss,y,x) in pts if ss==s)
        if not q: continue
        n=len(q); xs=[x for _,x in q]
        S+=sum(sgn(b[1]-a[1]) for a,b in itertools.combinations(q,2))
        var+=(n*(n-1)*(2*n+5)-sum(t*(t-1)*(2*t+5) for t in Counter(xs).values()))/18
        pairs+=n*(n-1)/2
        sl+=[(b[1]-a[1])/(b[0]-a[0]) for a,b in itertools.combinations(q,2)]
    z=0 if S==0 else (S-sgn(S))/math.sqrt(var)
    return S,var,z,math.erfc(abs(z)/math.sqrt(2)),S/pairs,statistics.median(sl)
print("ties", mk([1,2,3,4,5],[3,1,4,1,5]), sen([1,2,3,4,5],[3,1,4,1,5]))
print("inc6", mk(list(range(6)),[1,2,3,5,8,13]))
print("dec5", mk(list(range(5)),[9,7,4,2,1]))
print("inc4", mk(list(range(4)),[1,2,3,4]))
print("gaps", sen([0,1,3,7],[10,12,13,25]), mk([0,1,3,7],[10,12,13,25]))
print("odd", sen([0,2,5],[4,6,3]))
data={2020:[10,20,15,30],2021:[12,19,18,33],2022:[15,25,None,33],2023:[14,27,22,40]}
pts=[(q+1,y,v) for y,row in data.items() for q,v in enumerate(row) if v is not None]
ts=[(y-2000)*4+s-1 for s,y,v in pts]; xs=[v for s,y,v in pts]
print("seasonal", seasonal(pts))
print("seasonal-mk", mk(ts,xs), sen(ts,xs))
print("floor-six", seasonal([(1,2023,1),(2,2023,2),(3,2023,3),(4,2023,4),(1,2024,2),(2,2024,1)]))
print("inc6-sen", sen(list(range(6)),[1,2,3,5,8,13]))
print("dec5-sen", sen([4,3,2,1,0],[1,2,4,7,9]))
