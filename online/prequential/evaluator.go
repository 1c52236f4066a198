package prequential

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/eval"
	"github.com/eddyml/eddy/online/internal/olearn"
	"github.com/eddyml/eddy/pipeline/table"
)

// Task says which metrics an Evaluator computes.
type Task string

// Tasks.
const (
	Binary     Task = "binary"
	Multiclass Task = "multiclass"
	Regression Task = "regression"
)

// Defaults.
const (
	DefaultWindow  = 1000
	DefaultAUCBins = 1000
	// MaxWindow bounds Window (and what a snapshot may ask to allocate).
	MaxWindow = 1 << 24
	// MaxAUCBins bounds AUCBins.
	MaxAUCBins = 1 << 20
)

// Config configures an Evaluator. Zero fields take the defaults.
type Config struct {
	// Task is binary, multiclass or regression. Required.
	Task Task
	// Window is the number of newest rows the window_* metrics cover
	// (default 1000).
	Window int
	// LabelCol is the true label (default "label"): 0/1 for binary, a
	// class index 0..k-1 for multiclass, any number for regression; any
	// integer, float or boolean column.
	LabelCol string
	// PredictionCol is the predicted label or value (default
	// "prediction"). Binary evaluation without it thresholds the
	// probability at 0.5.
	PredictionCol string
	// ProbabilityCol is, for binary, the float64 probability of label 1
	// (default "probability", required); for multiclass, an optional dense
	// vector (fixed_size_list<float64>) of class probabilities for log loss.
	ProbabilityCol string
	// AUCBins is the number of equal-width probability bins of the
	// cumulative AUC's histograms (default 1000), see Metrics.AUCErrorBound.
	AUCBins int
}

func (c *Config) setDefaults() {
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.LabelCol == "" {
		c.LabelCol = "label"
	}
	if c.PredictionCol == "" {
		c.PredictionCol = "prediction"
	}
	if c.ProbabilityCol == "" {
		c.ProbabilityCol = "probability"
	}
	if c.AUCBins == 0 {
		c.AUCBins = DefaultAUCBins
	}
}

// Validate checks the configuration (after defaults).
func (c Config) Validate() error {
	switch {
	case c.Task != Binary && c.Task != Multiclass && c.Task != Regression:
		return fmt.Errorf("prequential: task %q, want binary, multiclass or regression", c.Task)
	case c.Window < 1 || c.Window > MaxWindow:
		return fmt.Errorf("prequential: window %d, want in [1, %d]", c.Window, MaxWindow)
	case c.AUCBins < 1 || c.AUCBins > MaxAUCBins:
		return fmt.Errorf("prequential: auc bins %d, want in [1, %d]", c.AUCBins, MaxAUCBins)
	}
	return nil
}

// Names returns the metric names of a task, in the order of the operator's
// columns: binary accuracy, log_loss, auc; multiclass accuracy, log_loss;
// regression rmse, mae.
func Names(t Task) []string {
	switch t {
	case Binary:
		return []string{"accuracy", "log_loss", "auc"}
	case Multiclass:
		return []string{"accuracy", "log_loss"}
	case Regression:
		return []string{"rmse", "mae"}
	}
	return nil
}

// Values holds one scope's metrics; those a task does not compute, and
// those undefined so far (no rows, AUC with one class, log loss without
// probabilities), are NaN.
type Values struct {
	Accuracy, LogLoss, AUC, RMSE, MAE float64
}

// Get returns the metric of the given name (see Names).
func (v Values) Get(name string) float64 {
	switch name {
	case "accuracy":
		return v.Accuracy
	case "log_loss":
		return v.LogLoss
	case "auc":
		return v.AUC
	case "rmse":
		return v.RMSE
	case "mae":
		return v.MAE
	}
	return math.NaN()
}

// Metrics is what an Evaluator reports.
type Metrics struct {
	// Rows is the number of rows evaluated since the start.
	Rows int64
	// Unscored counts the rows skipped because they carry no prediction
	// (NaN): a learner that has seen no label yet cannot predict (River
	// skips such rows too). They are in no metric and not in Rows.
	Unscored int64
	// WindowRows is the number of rows in the window (min(Rows, Window)).
	WindowRows int
	// Cumulative covers every row; Window the newest WindowRows.
	Cumulative, Window Values
	// AUCErrorBound bounds |Cumulative.AUC - exact AUC|: the cumulative
	// AUC counts the positive/negative pairs whose probabilities fall in
	// the same histogram bin as ties (one half); the bound is half their
	// share of all pairs. It is 0 when every bin holds one distinct
	// probability, then the AUC is exact.
	AUCErrorBound float64
}

// Evaluator computes prequential (test-then-train) metrics over a stream of
// rows carrying a label and the prediction made before the model learned
// that row: cumulative metrics over every row and windowed metrics over
// the newest Window rows. It is not safe for concurrent use.
type Evaluator struct {
	cfg Config

	// Cumulative sums, in row order.
	n        int64
	unscored int64
	sumOK    float64
	sumLL    float64
	sumAE    float64
	sumSE    float64
	posBin   []float64 // binary: positives per probability bin
	negBin   []float64

	// Window ring, struct of arrays; head is the next slot.
	head, count int
	ok, ll      []float64
	ae, se      []float64
	lab, prob   []float64

	// Scratch.
	labels, preds []float64
	order         []int
}

// New returns an Evaluator.
func New(cfg Config) (*Evaluator, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := &Evaluator{cfg: cfg}
	e.alloc()
	return e, nil
}

// alloc makes the histograms; the window's slices grow with the rows
// seen, up to Window.
func (e *Evaluator) alloc() {
	if e.cfg.Task == Binary {
		e.posBin = make([]float64, e.cfg.AUCBins)
		e.negBin = make([]float64, e.cfg.AUCBins)
	}
}

// Config returns the configuration with defaults applied.
func (e *Evaluator) Config() Config { return e.cfg }

// Rows returns the number of rows evaluated.
func (e *Evaluator) Rows() int64 { return e.n }

// row holds one row's contributions, as Update computes them.
type row struct {
	ok, ll, ae, se, lab, prob float64
}

// BinaryLoss is the per-row binary log loss Update uses: p clipped to
// [eval.LogLossEps, 1-eval.LogLossEps], -log(p) for label 1, -log(1-p) for
// label 0 (as eval.BinaryLogLoss).
func BinaryLoss(y, p float64) float64 {
	p = min(max(p, eval.LogLossEps), 1-eval.LogLossEps)
	if y == 1 {
		return -math.Log(p)
	}
	return -math.Log(1 - p)
}

// MulticlassLoss is the per-row multiclass log loss Update uses: every
// probability clipped to [eval.LogLossEps, 1-eval.LogLossEps], the row
// renormalised, -log of class y's share (as eval.LogLoss).
func MulticlassLoss(y int, probs []float64) float64 {
	var sum float64
	for _, p := range probs {
		sum += min(max(p, eval.LogLossEps), 1-eval.LogLossEps)
	}
	return -math.Log(min(max(probs[y], eval.LogLossEps), 1-eval.LogLossEps) / sum)
}

// scoredRows marks the rows of rec that carry a prediction: a NaN in the
// float64 prediction column (or, for binary, probability column) means the
// learner could not predict that row yet. It returns nil and 0 when every
// row is scored.
func (e *Evaluator) scoredRows(rec arrow.Record) (keep []bool, skipped int) {
	cols := []string{e.cfg.PredictionCol}
	if e.cfg.Task == Binary {
		cols = append(cols, e.cfg.ProbabilityCol)
	}
	for _, name := range cols {
		i, err := table.FieldIndex(rec.Schema(), name)
		if err != nil {
			continue
		}
		c, ok := rec.Column(i).(*array.Float64)
		if !ok {
			continue
		}
		for r, v := range c.Float64Values() {
			if math.IsNaN(v) && !c.IsNull(r) {
				if keep == nil {
					keep = make([]bool, rec.NumRows())
					for k := range keep {
						keep[k] = true
					}
				}
				if keep[r] {
					keep[r] = false
					skipped++
				}
			}
		}
	}
	return keep, skipped
}

// Update evaluates the rows of rec. It checks the whole batch first: on
// error (a missing column, a null, a label that is not a class, a
// probability outside [0, 1]) nothing of rec is counted.
func (e *Evaluator) Update(rec arrow.Record) error {
	n := int(rec.NumRows())
	if n == 0 {
		return nil
	}
	if keep, skipped := e.scoredRows(rec); skipped > 0 {
		scored, err := table.Filter(memory.DefaultAllocator, rec, keep)
		if err != nil {
			return fmt.Errorf("prequential: %w", err)
		}
		defer scored.Release()
		if err := e.Update(scored); err != nil {
			return err
		}
		e.unscored += int64(skipped)
		return nil
	}
	var err error
	if e.labels, err = olearn.Labels(rec, e.cfg.LabelCol, e.n, e.labels); err != nil {
		return fmt.Errorf("prequential: %w", err)
	}
	y := e.labels
	switch e.cfg.Task {
	case Regression:
		if e.preds, err = olearn.Labels(rec, e.cfg.PredictionCol, e.n, e.preds); err != nil {
			return fmt.Errorf("prequential: %w", err)
		}
		for i := range n {
			d := e.preds[i] - y[i]
			e.add(row{ae: math.Abs(d), se: d * d})
		}
	case Binary:
		for i, v := range y {
			if v != 0 && v != 1 {
				return fmt.Errorf("prequential: column %q row %d: label %v is not 0 or 1", e.cfg.LabelCol, e.n+int64(i), v)
			}
		}
		p, err := e.probabilities(rec)
		if err != nil {
			return err
		}
		var pred []float64
		if _, err := table.FieldIndex(rec.Schema(), e.cfg.PredictionCol); err == nil {
			if e.preds, err = olearn.Labels(rec, e.cfg.PredictionCol, e.n, e.preds); err != nil {
				return fmt.Errorf("prequential: %w", err)
			}
			pred = e.preds
		}
		for i := range n {
			var hit bool
			if pred != nil {
				hit = pred[i] == y[i]
			} else {
				hit = (p[i] >= 0.5) == (y[i] == 1)
			}
			e.add(row{ok: b2f(hit), ll: BinaryLoss(y[i], p[i]), lab: y[i], prob: p[i]})
		}
	case Multiclass:
		if e.preds, err = olearn.Labels(rec, e.cfg.PredictionCol, e.n, e.preds); err != nil {
			return fmt.Errorf("prequential: %w", err)
		}
		probs, k, err := e.classProbabilities(rec)
		if err != nil {
			return err
		}
		if probs != nil {
			for i, v := range y {
				if v != math.Trunc(v) || v < 0 || v >= float64(k) {
					return fmt.Errorf("prequential: column %q row %d: label %v is not a class index in [0, %d)", e.cfg.LabelCol, e.n+int64(i), v, k)
				}
			}
		}
		for i := range n {
			ll := math.NaN()
			if probs != nil {
				ll = MulticlassLoss(int(y[i]), probs[i*k:(i+1)*k])
			}
			e.add(row{ok: b2f(e.preds[i] == y[i]), ll: ll})
		}
	}
	return nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (e *Evaluator) probabilities(rec arrow.Record) ([]float64, error) {
	ci, err := table.FieldIndex(rec.Schema(), e.cfg.ProbabilityCol)
	if err != nil {
		return nil, fmt.Errorf("prequential: %w", err)
	}
	a, ok := rec.Column(ci).(*array.Float64)
	if !ok {
		return nil, fmt.Errorf("prequential: column %q: type %s, want float64", e.cfg.ProbabilityCol, rec.Column(ci).DataType())
	}
	p := a.Float64Values()
	for i, v := range p {
		if a.IsNull(i) {
			return nil, fmt.Errorf("prequential: column %q row %d: null probability", e.cfg.ProbabilityCol, e.n+int64(i))
		}
		if !(v >= 0 && v <= 1) {
			return nil, fmt.Errorf("prequential: column %q row %d: probability %v outside [0, 1]", e.cfg.ProbabilityCol, e.n+int64(i), v)
		}
	}
	return p, nil
}

// classProbabilities returns the row-major class probabilities of a
// multiclass batch, nil when the batch has no probability column.
func (e *Evaluator) classProbabilities(rec arrow.Record) ([]float64, int, error) {
	ci, err := table.FieldIndex(rec.Schema(), e.cfg.ProbabilityCol)
	if err != nil {
		return nil, 0, nil
	}
	col := rec.Column(ci)
	if col.NullN() > 0 {
		return nil, 0, fmt.Errorf("prequential: column %q: null probability vectors", e.cfg.ProbabilityCol)
	}
	vals, k, err := table.DenseVectors(col)
	if err != nil {
		return nil, 0, fmt.Errorf("prequential: column %q: %w", e.cfg.ProbabilityCol, err)
	}
	if k < 1 {
		return nil, 0, fmt.Errorf("prequential: column %q: empty probability vectors", e.cfg.ProbabilityCol)
	}
	for i, v := range vals {
		if !(v >= 0 && v <= 1) {
			return nil, 0, fmt.Errorf("prequential: column %q row %d: probability %v outside [0, 1]", e.cfg.ProbabilityCol, e.n+int64(i/k), v)
		}
	}
	return vals, k, nil
}

func (e *Evaluator) bin(p float64) int {
	return min(int(p*float64(e.cfg.AUCBins)), e.cfg.AUCBins-1)
}

func (e *Evaluator) add(r row) {
	e.n++
	e.sumOK += r.ok
	e.sumLL += r.ll
	e.sumAE += r.ae
	e.sumSE += r.se
	if e.cfg.Task == Binary {
		if r.lab == 1 {
			e.posBin[e.bin(r.prob)]++
		} else {
			e.negBin[e.bin(r.prob)]++
		}
	}
	e.put(r)
}

// put writes r to the window: appended while it fills, then over the
// oldest row.
func (e *Evaluator) put(r row) {
	if h := e.head; e.count == e.cfg.Window {
		e.ok[h], e.ll[h], e.ae[h], e.se[h], e.lab[h], e.prob[h] = r.ok, r.ll, r.ae, r.se, r.lab, r.prob
	} else {
		e.ok, e.ll, e.ae = append(e.ok, r.ok), append(e.ll, r.ll), append(e.ae, r.ae)
		e.se, e.lab, e.prob = append(e.se, r.se), append(e.lab, r.lab), append(e.prob, r.prob)
		e.count++
	}
	e.head = (e.head + 1) % e.cfg.Window
}

// Metrics returns the cumulative and windowed metrics. The windowed ones
// are recomputed from the window's rows, oldest first (O(Window), plus a
// sort for the binary AUC), so they carry no drift from incremental
// updates.
func (e *Evaluator) Metrics() Metrics {
	nan := math.NaN()
	m := Metrics{Rows: e.n, Unscored: e.unscored, WindowRows: e.count,
		Cumulative: Values{nan, nan, nan, nan, nan}, Window: Values{nan, nan, nan, nan, nan}}
	if e.n == 0 {
		return m
	}
	n := float64(e.n)
	var wOK, wLL, wAE, wSE float64
	start := (e.head - e.count + e.cfg.Window) % e.cfg.Window
	for j := range e.count {
		i := (start + j) % e.cfg.Window
		wOK += e.ok[i]
		wLL += e.ll[i]
		wAE += e.ae[i]
		wSE += e.se[i]
	}
	w := float64(e.count)
	switch e.cfg.Task {
	case Regression:
		m.Cumulative.RMSE, m.Cumulative.MAE = math.Sqrt(e.sumSE/n), e.sumAE/n
		m.Window.RMSE, m.Window.MAE = math.Sqrt(wSE/w), wAE/w
	case Binary:
		m.Cumulative.AUC, m.AUCErrorBound = e.histAUC()
		m.Window.AUC = e.windowAUC(start)
		fallthrough
	case Multiclass:
		m.Cumulative.Accuracy, m.Cumulative.LogLoss = e.sumOK/n, e.sumLL/n
		m.Window.Accuracy, m.Window.LogLoss = wOK/w, wLL/w
	}
	return m
}

// histAUC is the AUC of the binned probabilities with a bin's pairs
// counted as ties, and the bound on its error.
func (e *Evaluator) histAUC() (auc, bound float64) {
	var pos, neg, below, u, same float64
	for b := range e.posBin {
		p, q := e.posBin[b], e.negBin[b]
		u += p*below + 0.5*p*q
		same += p * q
		below += q
		pos += p
		neg += q
	}
	if pos == 0 || neg == 0 {
		return math.NaN(), 0
	}
	pairs := pos * neg
	return u / pairs, 0.5 * same / pairs
}

// windowAUC is the exact AUC of the window (Mann-Whitney with ties one
// half, equal to eval.ROCAUC).
func (e *Evaluator) windowAUC(start int) float64 {
	e.order = e.order[:0]
	for j := range e.count {
		e.order = append(e.order, (start+j)%e.cfg.Window)
	}
	slices.SortFunc(e.order, func(a, b int) int {
		switch {
		case e.prob[a] < e.prob[b]:
			return -1
		case e.prob[a] > e.prob[b]:
			return 1
		}
		return 0
	})
	// Walk groups of equal probability from low to high.
	var negBelow, u, pos, neg float64
	for i := 0; i < len(e.order); {
		j := i
		var gp, gn float64
		for ; j < len(e.order) && e.prob[e.order[j]] == e.prob[e.order[i]]; j++ {
			if e.lab[e.order[j]] == 1 {
				gp++
			} else {
				gn++
			}
		}
		u += gp*negBelow + 0.5*gp*gn
		negBelow += gn
		pos += gp
		neg += gn
		i = j
	}
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return u / (pos * neg)
}

const snapMagic = "EDDYPREQ"

// Snapshot encodes the configuration and the whole state.
func (e *Evaluator) Snapshot() ([]byte, error) {
	enc := olearn.NewEnc(snapMagic, 2, 136+8*(6*e.count+2*len(e.posBin)))
	putString(enc, string(e.cfg.Task))
	putString(enc, e.cfg.LabelCol)
	putString(enc, e.cfg.PredictionCol)
	putString(enc, e.cfg.ProbabilityCol)
	enc.I64(int64(e.cfg.Window))
	enc.I64(int64(e.cfg.AUCBins))
	enc.I64(e.n)
	enc.I64(e.unscored)
	enc.F64(e.sumOK)
	enc.F64(e.sumLL)
	enc.F64(e.sumAE)
	enc.F64(e.sumSE)
	enc.F64s(e.posBin)
	enc.F64s(e.negBin)
	// The window, oldest first.
	enc.I64(int64(e.count))
	start := (e.head - e.count + e.cfg.Window) % e.cfg.Window
	for j := range e.count {
		i := (start + j) % e.cfg.Window
		for _, v := range [...]float64{e.ok[i], e.ll[i], e.ae[i], e.se[i], e.lab[i], e.prob[i]} {
			enc.F64(v)
		}
	}
	return enc.B, nil
}

// maxNameLen bounds the column names a snapshot may hold.
const maxNameLen = 4096

// putString writes a length and the bytes, padded to 8-byte words.
func putString(e *olearn.Enc, s string) {
	e.U32(uint32(len(s)))
	var w [8]byte
	for i := 0; i < len(s); i += 8 {
		clear(w[:])
		copy(w[:], s[i:])
		e.U64(binary.LittleEndian.Uint64(w[:]))
	}
}

func getString(d *olearn.Dec) string {
	n := d.U32()
	if d.Failed() {
		return ""
	}
	if n > maxNameLen || int(n) > d.Remaining() {
		d.Fail(fmt.Errorf("snapshot holds a name of %d bytes", n))
		return ""
	}
	out := make([]byte, 0, n+8)
	for i := uint32(0); i < n; i += 8 {
		out = binary.LittleEndian.AppendUint64(out, d.U64())
	}
	for _, c := range out[n:] {
		if c != 0 {
			d.Fail(errors.New("snapshot has a badly padded name"))
			return ""
		}
	}
	return string(out[:n])
}

// Restore replaces the evaluator (configuration included) with a
// snapshot's. Malformed bytes give an error and leave it unchanged.
func (e *Evaluator) Restore(b []byte) error {
	d, v, err := olearn.NewDec(b, snapMagic)
	if err != nil {
		return fmt.Errorf("prequential: restore: %w", err)
	}
	if v != 1 && v != 2 {
		return fmt.Errorf("prequential: restore: format version %d, want 1 or 2", v)
	}
	var cfg Config
	cfg.Task = Task(getString(d))
	cfg.LabelCol = getString(d)
	cfg.PredictionCol = getString(d)
	cfg.ProbabilityCol = getString(d)
	cfg.Window, cfg.AUCBins = int(d.I64()), int(d.I64())
	if d.Failed() {
		return fmt.Errorf("prequential: restore: %w", d.Err())
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("prequential: restore: %w", err)
	}
	var x Evaluator
	x.cfg = cfg
	x.n = d.I64()
	if v >= 2 { // version 1 had no unscored count
		x.unscored = d.I64()
	}
	x.sumOK, x.sumLL, x.sumAE, x.sumSE = d.F64(), d.F64(), d.F64(), d.F64()
	pos, neg := d.F64s(cfg.AUCBins), d.F64s(cfg.AUCBins)
	count := d.I64()
	if d.Failed() {
		return fmt.Errorf("prequential: restore: %w", d.Err())
	}
	wantBins := 0
	if cfg.Task == Binary {
		wantBins = cfg.AUCBins
	}
	if len(pos) != wantBins || len(neg) != wantBins {
		return fmt.Errorf("prequential: restore: %d and %d histogram bins, want %d", len(pos), len(neg), wantBins)
	}
	if x.n < 0 || x.unscored < 0 || count < 0 || count > int64(cfg.Window) || count > x.n || int64(d.Remaining()) != 48*count {
		return errors.New("prequential: restore: inconsistent row counts")
	}
	x.alloc()
	if cfg.Task == Binary {
		copy(x.posBin, pos)
		copy(x.negBin, neg)
	}
	for range count {
		x.put(row{ok: d.F64(), ll: d.F64(), ae: d.F64(), se: d.F64(), lab: d.F64(), prob: d.F64()})
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("prequential: restore: %w", err)
	}
	*e = x
	return nil
}
