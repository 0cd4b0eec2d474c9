"""Does `learn.profile_sizes` predict the wall-clock speed-up? Profile once, predict fixed size, the ramp, stages and
MixSize, then train each and time it. Run from nbs/: `OMP_NUM_THREADS=1 taskset -c 1 python ../tools/profile_check.py
../../shared/data/imagenette2-224 results/profile_check.json`"""
import sys, json, time, os, warnings
warnings.filterwarnings('ignore')
import torch
from fastai.vision.all import *
from progresize.all import *
from progresize.bench import bench_dls, bench_learner

class TrainTimer(Callback):
    "Seconds in the training phases (loader, forward, backward, step), validation left out"
    order = 0
    def before_fit(self): self.t = 0.
    def before_train(self): self.t0 = time.perf_counter()
    def after_train(self): self.t += time.perf_counter()-self.t0

path,out = Path(sys.argv[1]),Path(sys.argv[2])
torch.set_num_threads(1)
E,S,BS = 2,64,32
get_dls = lambda bs, size: bench_dls(path, bs=bs, size=size, subset=0.15, seed=0, num_workers=0)
dls = get_dls(BS, S); n = len(dls.train_ds)
sizes = [max(8, round(S*s/224/8)*8) for s in (256,224,128,96)]
mplan = mixsize_plan(sizes, [.1,.1,.6,.2], S, BS)
stages = [Stage(S//2, E//2, bs=4*BS), Stage(S, E-E//2, bs=BS)]
steps = dict(fixed=fixed_steps(S, E, n, BS), ramp=ramp_steps(LinearSchedule(0.5, S, 0.25, 0.75, 8), E, n, BS),
             stages=stages_steps(stages, n), mixsize=plan_steps(mplan, n, E, 0))
pairs = sorted({k for c in steps.values() for k in c}, key=lambda o: (o[1], area(o[0])))
set_seed(0); learn = bench_learner(dls)
t0 = time.perf_counter()
prof = learn.profile_sizes([s for s,_ in pairs], bs=[b for _,b in pairs], n_steps=5, warmup=2, loader_batches=10)
prof_s = time.perf_counter()-t0
print(prof); print(prof.report())
pred = {k: predict_time(prof, c) for k,c in steps.items()}
fits = dict(fixed=lambda l,cb: l.fit_one_cycle(E, 3e-3, cbs=cb),
            ramp=lambda l,cb: l.fit_one_cycle(E, 3e-3, cbs=[cb, ProgressiveResize(0.5, 0.25, 0.75, final_size=S)]),
            stages=lambda l,cb: l.fit_stages(stages, get_dls, lr_max=3e-3, cbs=cb),
            mixsize=lambda l,cb: l.fit_one_cycle(E, 3e-3, cbs=[cb, MixSize(sizes, [.1,.1,.6,.2], base_size=S, base_bs=BS)]))
w = bench_learner(dls)      # a warm-up fit: the first fit of a process pays one-off costs
with w.no_bar(), w.no_logging(): w.fit(1, 3e-3, cbs=ShortEpochCallback(0.1, short_valid=True))
meas,loads = {},{}
for k,f in fits.items():
    set_seed(0); l,tt = bench_learner(get_dls(BS, S)),TrainTimer()
    c0 = time.process_time()
    with l.no_bar(), l.no_logging(): f(l, tt)
    meas[k],loads[k] = tt.t,os.getloadavg()[0]
    print(f"{k}: measured {tt.t:.1f} s, predicted {pred[k]:.1f} s", flush=True)
rows = {k: dict(pred_s=pred[k], train_s=meas[k], pred_speedup=pred['fixed']/pred[k], speedup=meas['fixed']/meas[k],
                ideal=sum(steps['fixed'].values())*S*S/sum(c*area(sz)*b/BS for (sz,b),c in steps[k].items()), load=loads[k]) for k in fits}
for k,r in rows.items(): r['error'] = r['pred_speedup']/r['speedup']-1
print(pd.DataFrame(rows).T.round(3))
out.write_text(json.dumps(dict(cmd=' '.join(sys.argv), n=n, epochs=E, size=S, bs=BS, profile=prof.rows, profile_s=prof_s,
                               report=prof.report(), rows=rows), indent=1))
