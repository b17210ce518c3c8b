#!/bin/bash
# old (55f804c: sampled loss = autograd chain in float) vs new (fused sampled node), one-epoch training, alternating
NEW=/work/main/build/dev/app/cli/tiltbench-cli; OLD=/tmp/s24/cli/tiltbench-cli
for rep in ${REPS:-1}; do
for k in ${KS:-1024 4096}; do
 for prec in ${PRECS:-bf16-all}; do
  for arm in old new; do
   B=$OLD; [ $arm = new ] && B=$NEW
   cp /tmp/s23/sim1m.sqlite /tmp/s25/sp.sqlite; rm -f /tmp/s25/sp.sqlite-wal /tmp/s25/sp.sqlite-shm
   tag=$arm-$k-$prec-$rep
   /usr/bin/time -v $B train -w /tmp/s25/sp.sqlite -d sim1m -m sasrec $( [ $k = full ] && echo "--loss full" || echo "--loss sampled --negatives in-batch --num-negatives $k") --precision $prec --epochs 1 --bootstrap 0 --threads 2 --device cpu --json > /tmp/s25/sp-$tag.json 2> /tmp/s25/sp-$tag.err
   echo "$tag $(python3 -c "import json;d=json.load(open('/tmp/s25/sp-$tag.json'));print(d.get('mean_epoch_seconds'), d['metrics']['test']['ndcg@10'])") $(grep -o '[0-9.]*k* examples/s' /tmp/s25/sp-$tag.err | head -1) rss=$(grep Maximum /tmp/s25/sp-$tag.err | awk '{print $6}')" >> /tmp/s25/speed.log
  done
 done
done
done
echo done >> /tmp/s25/speed.log
