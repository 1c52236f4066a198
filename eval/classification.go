package eval

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
)

// LogLossEps is the clipping bound of log loss: float64's machine epsilon,
// which is what scikit-learn 1.2's default eps="auto" resolves to for
// float64 probabilities.
const LogLossEps = 0x1p-52

// ErrOneClass is returned where a metric needs both classes (ROC AUC).
var ErrOneClass = errors.New("only one class present in the labels")

func checkLen(name string, n, want int) error {
	if n != want {
		return fmt.Errorf("%s has %d values, want %d", name, n, want)
	}
	return nil
}

func checkWeights(w []float64, n int) error {
	if w == nil {
		return nil
	}
	if err := checkLen("weights", len(w), n); err != nil {
		return err
	}
	for i, v := range w {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("weight %d is %v, want a finite value >= 0", i, v)
		}
	}
	return nil
}

func weight(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}

// Accuracy returns the (weighted) fraction of rows with yPred == yTrue.
func Accuracy(yTrue, yPred, w []float64) (float64, error) {
	var m MulticlassAccumulator
	if err := m.Add(yTrue, yPred, nil, w); err != nil {
		return 0, err
	}
	return m.Metrics().Accuracy, nil
}

// Average says how per-label precision, recall and F1 are combined.
type Average int

const (
	// Binary reports the scores of the positive label only.
	Binary Average = iota
	// Macro is the unweighted mean over labels.
	Macro
	// Weighted is the mean over labels weighted by their support (true
	// count).
	Weighted
)

// PrecisionRecallF1 returns precision, recall and F1 as scikit-learn's
// precision_recall_fscore_support(average=...) with zero_division=0. pos
// is the positive label for Binary and ignored otherwise.
func PrecisionRecallF1(yTrue, yPred, w []float64, avg Average, pos float64) (p, r, f1 float64, err error) {
	var m MulticlassAccumulator
	if err := m.Add(yTrue, yPred, nil, w); err != nil {
		return 0, 0, 0, err
	}
	mm := m.Metrics()
	switch avg {
	case Binary:
		for i, l := range mm.Labels {
			if l == pos {
				return mm.Precision[i], mm.Recall[i], mm.F1[i], nil
			}
		}
		return 0, 0, 0, nil
	case Macro:
		return mm.MacroPrecision, mm.MacroRecall, mm.MacroF1, nil
	case Weighted:
		return mm.WeightedPrecision, mm.WeightedRecall, mm.WeightedF1, nil
	}
	return 0, 0, 0, fmt.Errorf("unknown average %d", avg)
}

// ConfusionMatrix returns the sorted labels present in yTrue or yPred and
// the (weighted) counts: counts[i][j] is the weight of rows of true label
// labels[i] predicted as labels[j].
func ConfusionMatrix(yTrue, yPred, w []float64) (labels []float64, counts [][]float64, err error) {
	var m MulticlassAccumulator
	if err := m.Add(yTrue, yPred, nil, w); err != nil {
		return nil, nil, err
	}
	mm := m.Metrics()
	return mm.Labels, mm.Confusion, nil
}

// BinaryLogLoss returns the (weighted) mean negative log likelihood of the
// 0/1 labels y under the positive class probabilities p.
func BinaryLogLoss(y, p, w []float64) (float64, error) {
	if err := checkLen("probabilities", len(p), len(y)); err != nil {
		return 0, err
	}
	if err := checkWeights(w, len(y)); err != nil {
		return 0, err
	}
	var sum, sw float64
	for i, yi := range y {
		l, err := binaryLoss(yi, p[i])
		if err != nil {
			return 0, fmt.Errorf("row %d: %w", i, err)
		}
		wi := weight(w, i)
		sum += wi * l
		sw += wi
	}
	return sum / sw, nil
}

func binaryLoss(y, p float64) (float64, error) {
	if math.IsNaN(p) {
		return 0, errors.New("probability is NaN")
	}
	p = min(max(p, LogLossEps), 1-LogLossEps)
	switch y {
	case 1:
		return -math.Log(p), nil
	case 0:
		return -math.Log(1 - p), nil
	}
	return 0, fmt.Errorf("label %v is not 0 or 1", y)
}

// LogLoss returns the multiclass log loss: y[i] is a class index in
// [0, k), probs row-major n×k class probabilities. Each row is clipped to
// [eps, 1-eps] and renormalised, like scikit-learn 1.2 (eps="auto").
func LogLoss(y []int, probs []float64, k int, w []float64) (float64, error) {
	if k < 1 {
		return 0, fmt.Errorf("number of classes %d, want >= 1", k)
	}
	if err := checkLen("probabilities", len(probs), len(y)*k); err != nil {
		return 0, err
	}
	if err := checkWeights(w, len(y)); err != nil {
		return 0, err
	}
	var sum, sw float64
	for i, c := range y {
		l, err := rowLoss(c, probs[i*k:(i+1)*k])
		if err != nil {
			return 0, fmt.Errorf("row %d: %w", i, err)
		}
		wi := weight(w, i)
		sum += wi * l
		sw += wi
	}
	return sum / sw, nil
}

func rowLoss(c int, p []float64) (float64, error) {
	if c < 0 || c >= len(p) {
		return 0, fmt.Errorf("class index %d out of range [0, %d)", c, len(p))
	}
	var s, pc float64
	for j, v := range p {
		if math.IsNaN(v) {
			return 0, errors.New("probability is NaN")
		}
		v = min(max(v, LogLossEps), 1-LogLossEps)
		s += v
		if j == c {
			pc = v
		}
	}
	return -math.Log(pc / s), nil
}

// ROCAUC returns the area under the ROC curve of scores for 0/1 labels y,
// with tied scores forming one step of the curve (scikit-learn's
// roc_auc_score). It returns ErrOneClass when y holds one class only.
func ROCAUC(y, scores, w []float64) (float64, error) {
	var b BinaryAccumulator
	if err := b.Add(y, scores, w); err != nil {
		return 0, err
	}
	auc := b.AUC()
	if math.IsNaN(auc) {
		return auc, ErrOneClass
	}
	return auc, nil
}

// BinaryMetrics are the metrics of a binary classifier's scores.
type BinaryMetrics struct {
	Rows      int64
	WeightSum float64
	// AUC is NaN when only one class was seen.
	AUC float64
	// LogLoss is NaN unless the scores are probabilities.
	LogLoss float64
	// Threshold is the score at or above which a row is predicted
	// positive for the metrics below.
	Threshold                       float64
	Accuracy, Precision, Recall, F1 float64
	// Confusion[t][p] is the weight of rows of true class t predicted p.
	Confusion [2][2]float64
}

// BinaryAccumulator accumulates 0/1 labels and positive-class scores.
// The zero value treats scores as probabilities with threshold 0.5; set
// Margins to treat them as raw margins (threshold 0, no log loss).
type BinaryAccumulator struct {
	// Margins says the scores are raw margins, not probabilities.
	Margins bool
	// Threshold overrides the decision threshold when HasThreshold.
	Threshold    float64
	HasThreshold bool

	scores, labels, weights []float64
	weighted                bool
	loss                    float64
}

// Add appends a batch: y holds 0/1 labels, scores the positive class
// scores, w the weights (nil: 1). On error nothing is added.
func (b *BinaryAccumulator) Add(y, scores, w []float64) error {
	if err := checkLen("scores", len(scores), len(y)); err != nil {
		return err
	}
	if err := checkWeights(w, len(y)); err != nil {
		return err
	}
	var loss float64
	for i, yi := range y {
		if yi != 0 && yi != 1 {
			return fmt.Errorf("row %d: label %v is not 0 or 1", i, yi)
		}
		s := scores[i]
		if math.IsNaN(s) {
			return fmt.Errorf("row %d: score is NaN", i)
		}
		if !b.Margins {
			l, err := binaryLoss(yi, s)
			if err != nil {
				return fmt.Errorf("row %d: %w", i, err)
			}
			loss += weight(w, i) * l
		}
	}
	if w != nil && !b.weighted {
		b.weighted = true
		b.weights = slices.Grow(b.weights[:0], len(b.labels)+len(y))
		for range b.labels {
			b.weights = append(b.weights, 1)
		}
	}
	b.labels = append(b.labels, y...)
	b.scores = append(b.scores, scores...)
	if b.weighted {
		if w == nil {
			for range y {
				b.weights = append(b.weights, 1)
			}
		} else {
			b.weights = append(b.weights, w...)
		}
	}
	b.loss += loss
	return nil
}

// Reset forgets every row, keeping the settings and the memory.
func (b *BinaryAccumulator) Reset() {
	b.scores, b.labels, b.weights = b.scores[:0], b.labels[:0], b.weights[:0]
	b.weighted, b.loss = false, 0
}

func (b *BinaryAccumulator) w(i int) float64 {
	if b.weighted {
		return b.weights[i]
	}
	return 1
}

// AUC returns the ROC AUC of the rows so far, NaN with fewer than two
// classes.
func (b *BinaryAccumulator) AUC() float64 {
	n := len(b.scores)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return b.scores[idx[i]] > b.scores[idx[j]] })
	var tp, fp, area float64
	for i := 0; i < n; {
		s := b.scores[idx[i]]
		tp0, fp0 := tp, fp
		for ; i < n && b.scores[idx[i]] == s; i++ {
			r := idx[i]
			if b.labels[r] == 1 {
				tp += b.w(r)
			} else {
				fp += b.w(r)
			}
		}
		area += (fp - fp0) * (tp + tp0) / 2
	}
	if tp == 0 || fp == 0 {
		return math.NaN()
	}
	return area / (tp * fp)
}

// Metrics returns the metrics of the rows so far.
func (b *BinaryAccumulator) Metrics() BinaryMetrics {
	m := BinaryMetrics{Rows: int64(len(b.labels)), AUC: b.AUC(), LogLoss: math.NaN(), Threshold: 0.5}
	if b.Margins {
		m.Threshold = 0
	}
	if b.HasThreshold {
		m.Threshold = b.Threshold
	}
	for i, y := range b.labels {
		p := 0
		if b.scores[i] >= m.Threshold {
			p = 1
		}
		wi := b.w(i)
		m.Confusion[int(y)][p] += wi
		m.WeightSum += wi
	}
	if !b.Margins && m.WeightSum > 0 {
		m.LogLoss = b.loss / m.WeightSum
	}
	c := m.Confusion
	m.Accuracy = ratio(c[0][0]+c[1][1], m.WeightSum)
	m.Precision = ratio(c[1][1], c[1][1]+c[0][1])
	m.Recall = ratio(c[1][1], c[1][1]+c[1][0])
	m.F1 = f1(m.Precision, m.Recall)
	return m
}

// ratio is a/b, or 0 when b is 0 (zero_division=0).
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}
