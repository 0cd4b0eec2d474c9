"""Decode at size on Imagenette (`decode=True`, `DecodeAtSize`): what it saves in the loader, what it costs in image
quality, and a loader-bound fit. Run from nbs/: `OMP_NUM_THREADS=1 taskset -c 1 python ../tools/decode_check.py
../../shared/data/imagenette2-224 results/decode_check.json`

1. The loader (`bench_dls`, 64 px items, one process): ms per image for a full pass over the training photos, decoded
   at full size, at each step size's draft, and from a copy shrunk once to a 72 px short side (the
   FFCV/DAWNBench way), medians of 3 passes.
2. Quality: mean absolute difference (0-255) between today's batches and the decoded-at-size ones, at each step size,
   after the on-device resize that step gets.
3. A loader-bound fit: a narrow 4-layer CNN (its step is cheaper than the decode), fixed size and the ramp (32 to 64 px),
   each with and without decode-at-size, at equal epochs, 3 seeds; top-1 on all of val/."""
import sys, json, time, os, warnings, statistics
warnings.filterwarnings('ignore')
import torch
from fastai.vision.all import *
from progresize.all import *
from progresize.bench import bench_dls, EpochTimer, _cpu_s, compare, mean_std, _top1_ece

path,out = Path(sys.argv[1]),Path(sys.argv[2])
E,S,BS,SEEDS,SUB = 8,64,64,(0,1,2),0.5
if os.environ.get('QUICK'): E,SEEDS,SUB = 1,(0,),0.05     # a smoke test of this script
torch.set_num_threads(1)
get = lambda p=path, seed=0: bench_dls(p, bs=BS, size=S, subset=SUB, seed=seed, num_workers=0, holdout=0.2, report_all=True)
res = dict(cmd=' '.join(sys.argv), size=S, bs=BS, epochs=E, seeds=list(SEEDS), subset=SUB, load_before=os.getloadavg()[0])

def pass_ms(dl, n=3):
    "Median ms per image of `n` full passes over `dl` (the first, a warm-up, dropped)"
    ts = []
    for i in range(n+1):
        t0,k = time.perf_counter(),0
        for b in dl: k += len(b[0])
        ts.append((time.perf_counter()-t0)/k*1e3)
    return statistics.median(ts[1:])

# 1. the loader
dls = get(); steps = (64, 48, 32)
loader = {'full': pass_ms(dls.train)}
for s in steps:
    dec = Decoder(); dec.set(dls.train, s); loader[f'draft@{s}'] = pass_ms(dls.train); dec.restore()
small = Path(os.environ.get('SHRUNK', '/tmp/imagenette_72'))     # a copy shrunk once, the short side 72 px (JPEG quality 90, fastai's default)
if not small.exists():
    t0 = time.perf_counter()
    for f in get_image_files(path):
        dst = small/f.relative_to(path); dst.parent.mkdir(parents=True, exist_ok=True)
        im = Image.open(f).convert('RGB'); w,h = im.size; r = 72/min(w,h)
        im.resize((round(w*r), round(h*r)), Image.BILINEAR).save(dst, quality=90)
    res['shrink_s'] = time.perf_counter()-t0
loader['shrunk72'] = pass_ms(get(small).train)
res['loader_ms'] = loader
print('loader ms/img:', {k: round(v, 3) for k,v in loader.items()}, flush=True)

# 2. quality: today's items against decoded-at-size ones, after the step's on-device resize
dl = dls.train; idx = range(0, len(dl.dataset), max(1, len(dl.dataset)//256))
def items(need):
    with decoding_at(need): return torch.stack([dl.after_item(dl.dataset[i])[0] for i in idx]).float()
full,need = items(None),item_need(dl)
mad = {}
for s in steps:
    a,b = (resize_image(x, s, 'bilinear') for x in (full, items(step_need(need, s))))
    mad[s] = float((a-b).abs().mean())
res['mad'] = mad
print('mean abs diff (0-255):', {k: round(v, 2) for k,v in mad.items()}, flush=True)

# 3. a loader-bound fit
def tiny(): return nn.Sequential(ConvLayer(3,16,stride=2), ConvLayer(16,32,stride=2), ConvLayer(32,64,stride=2), ConvLayer(64,128,stride=2),
                                 nn.AdaptiveAvgPool2d(1), Flatten(), nn.Linear(128, 10))
ramp = lambda d: ProgressiveResize(0.5, start=0.25, finish=0.75, increase_by=8, decode=d)
regimes = {'fixed': lambda: [], 'fixed+decode': lambda: [DecodeAtSize()], 'ramp': lambda: [ramp(False)], 'ramp+decode': lambda: [ramp(True)]}
runs = []
w = Learner(get(), tiny(), metrics=accuracy)       # a warm-up fit
with w.no_bar(), w.no_logging(): w.fit(1, 3e-3)
for seed in SEEDS:
    for name,cbs in regimes.items():
        set_seed(seed, reproducible=True); d = get(seed=seed)
        timer = EpochTimer(); learn = Learner(d, tiny(), metrics=accuracy, cbs=[timer]+cbs())
        c0,t0 = _cpu_s(),time.perf_counter()
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(E, 3e-3)
        wall,cpu = time.perf_counter()-t0,_cpu_s()-c0
        with learn.no_bar(), learn.no_logging(): top1 = _top1_ece(learn, d.report, S)[0]
        runs.append(dict(regime=name, seed=seed, train_s=sum(timer.times), wall_s=wall, cpu_s=cpu, top1=top1, load=timer.peak_load))
        print(runs[-1], flush=True)
res['runs'] = runs
n_steps = E*len(get().train)
res['ideal'] = 1/relative_cost(LinearSchedule(0.5, S, 0.25, 0.75, 8), n_steps=n_steps)
med = lambda r,k: statistics.median(o[k] for o in runs if o['regime']==r)
tops = lambda r: [o['top1'] for o in runs if o['regime']==r]
rows = {}
for r in regimes:
    m,s = mean_std(tops(r))
    rows[r] = dict(train_s=med(r,'train_s'), cpu_s=med(r,'cpu_s'), top1=m, top1_std=s, speedup=med('fixed','train_s')/med(r,'train_s'))
for r in ('fixed+decode', 'ramp+decode'): rows[r]['vs_without'] = compare(tops(r), tops(r.split('+')[0]))
rows['ramp']['achieved/ideal'] = rows['ramp']['speedup']/res['ideal']
rows['ramp+decode']['achieved/ideal'] = rows['ramp+decode']['speedup']/res['ideal']
rows['ramp+decode']['vs_fixed+decode'] = med('fixed+decode','train_s')/med('ramp+decode','train_s')
res['rows'] = rows; res['load_after'] = os.getloadavg()[0]
print(json.dumps(rows, indent=1))
out.write_text(json.dumps(res, indent=1))
