#!/bin/bash
# old (55f804c, /tmp/s24/cli) vs new (fused causal attention, build/dev) one-epoch training passes, alternating
NEW=/work/main/build/dev/app/cli/tiltbench-cli; OLD=/tmp/s24/cli/tiltbench-cli
for prec in bf16-all bf16; do
 for rep in 1 2; do
  for arm in old new; do
   B=$OLD; [ $arm = new ] && B=$NEW
   /usr/bin/time -v $B train -w /tmp/s24/sp.sqlite -d sim1m -m sasrec --precision $prec --epochs 1 --bootstrap 0 --threads 2 --device cpu --json > /tmp/s24/sp-$arm-$prec-$rep.json 2> /tmp/s24/sp-$arm-$prec-$rep.err
   echo "$prec $rep $arm $(python3 -c "import json;d=json.load(open('/tmp/s24/sp-$arm-$prec-$rep.json'));print(d.get('mean_epoch_seconds'), d['metrics']['test']['ndcg@10'])") rss=$(grep Maximum /tmp/s24/sp-$arm-$prec-$rep.err | awk '{print $6}')" >> /tmp/s24/speed.log
  done
 done
done
echo done >> /tmp/s24/speed.log
