import json,glob,sys,re,statistics as st
for d in sys.argv[1:]:
    print(d)
    ref=[float(m.group(1)) for m in re.finditer(r'^epoch \d+ ([\d.]+)s', open(d+'/ref.log').read(), re.M)]
    print(f"  ref: epochs {min(ref):.1f}-{max(ref):.1f} median {st.median(ref):.1f}")
    pts=[json.loads(l) for l in open(d+'/points.jsonl')]
    groups={}
    for f in sorted(glob.glob(d+'/tilt-*.json')):
        txt=open(f).read()
        if not txt.strip(): continue
        r=json.loads(txt); r=r['runs'][0] if 'runs' in r else r
        key=re.sub(r'-\d+\.json$','',f.split('/')[-1])
        groups.setdefault(key,[]).extend([e['train_seconds'] for e in r['epochs']])
    for k,v in groups.items():
        m=st.median(v)
        print(f"  {k}: epochs {min(v):.1f}-{max(v):.1f} median {m:.1f} -> {m/st.median(ref):.2f}x ref median ({min(v)/st.median(ref):.2f}-{max(v)/st.median(ref):.2f})")
