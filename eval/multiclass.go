package eval

import (
	"fmt"
	"math"
	"slices"
)

// MulticlassMetrics are the metrics of a classifier's predicted labels
// (and, when given, class probabilities).
type MulticlassMetrics struct {
	Rows      int64
	WeightSum float64
	Accuracy  float64
	// Labels are the labels seen in the true or predicted values, sorted;
	// the per-label slices and Confusion follow their order.
	Labels                []float64
	Precision, Recall, F1 []float64
	Support               []float64
	MacroPrecision        float64
	MacroRecall, MacroF1  float64
	WeightedPrecision     float64
	WeightedRecall        float64
	WeightedF1            float64
	Confusion             [][]float64
	// LogLoss is NaN unless probabilities were given.
	LogLoss float64
}

// MulticlassAccumulator accumulates a confusion matrix and, when
// probabilities are given, the log loss. Its zero value is ready to use.
type MulticlassAccumulator struct {
	// Classes are the labels of the probability vector's elements, in
	// order; nil means element j is the probability of label j.
	Classes []float64

	index     map[float64]int
	labels    []float64
	counts    [][]float64 // counts[t][p] by insertion index
	rows      int64
	loss, lw  float64
	withProbs bool
}

// Add adds a batch. probs, if not nil, holds len(yTrue) row-major
// probability vectors of equal length k; w holds weights (nil: 1). On
// error nothing is added.
func (m *MulticlassAccumulator) Add(yTrue, yPred, probs, w []float64) error {
	n := len(yTrue)
	if err := checkLen("predictions", len(yPred), n); err != nil {
		return err
	}
	if err := checkWeights(w, n); err != nil {
		return err
	}
	for i := range n {
		if math.IsNaN(yTrue[i]) || math.IsNaN(yPred[i]) {
			return fmt.Errorf("row %d: label or prediction is NaN", i)
		}
	}
	var loss, lw float64
	if probs != nil && n > 0 {
		k := len(m.Classes)
		if k == 0 {
			k = len(probs) / n
		}
		if k == 0 || len(probs) != n*k {
			return fmt.Errorf("probabilities have %d values for %d rows", len(probs), n)
		}
		for i, y := range yTrue {
			c := -1
			if m.Classes == nil {
				if y == math.Trunc(y) && y >= 0 && y < float64(k) {
					c = int(y)
				}
			} else {
				c = slices.Index(m.Classes, y)
			}
			if c < 0 {
				return fmt.Errorf("row %d: label %v has no probability column", i, y)
			}
			l, err := rowLoss(c, probs[i*k:(i+1)*k])
			if err != nil {
				return fmt.Errorf("row %d: %w", i, err)
			}
			wi := weight(w, i)
			loss += wi * l
			lw += wi
		}
		m.withProbs = true
	}
	for i := range n {
		t, p := m.slot(yTrue[i]), m.slot(yPred[i])
		m.counts[t][p] += weight(w, i)
	}
	m.rows += int64(n)
	m.loss += loss
	m.lw += lw
	return nil
}

func (m *MulticlassAccumulator) slot(l float64) int {
	if i, ok := m.index[l]; ok {
		return i
	}
	if m.index == nil {
		m.index = map[float64]int{}
	}
	i := len(m.labels)
	m.index[l] = i
	m.labels = append(m.labels, l)
	for r := range m.counts {
		m.counts[r] = append(m.counts[r], 0)
	}
	m.counts = append(m.counts, make([]float64, i+1))
	return i
}

// Reset forgets every row.
func (m *MulticlassAccumulator) Reset() {
	classes := m.Classes
	*m = MulticlassAccumulator{Classes: classes}
}

// Metrics returns the metrics of the rows so far.
func (m *MulticlassAccumulator) Metrics() MulticlassMetrics {
	k := len(m.labels)
	order := make([]int, k)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		switch {
		case m.labels[a] < m.labels[b]:
			return -1
		case m.labels[a] > m.labels[b]:
			return 1
		}
		return 0
	})
	out := MulticlassMetrics{Rows: m.rows, LogLoss: math.NaN(),
		Labels: make([]float64, k), Precision: make([]float64, k), Recall: make([]float64, k),
		F1: make([]float64, k), Support: make([]float64, k), Confusion: make([][]float64, k)}
	if m.withProbs && m.lw > 0 {
		out.LogLoss = m.loss / m.lw
	}
	predicted := make([]float64, k)
	var correct float64
	for a, ia := range order {
		out.Labels[a] = m.labels[ia]
		out.Confusion[a] = make([]float64, k)
		for b, ib := range order {
			c := m.counts[ia][ib]
			out.Confusion[a][b] = c
			out.Support[a] += c
			predicted[b] += c
			out.WeightSum += c
		}
		correct += m.counts[ia][ia]
	}
	out.Accuracy = ratio(correct, out.WeightSum)
	if k == 0 {
		return out
	}
	for a := range k {
		tp := out.Confusion[a][a]
		out.Precision[a] = ratio(tp, predicted[a])
		out.Recall[a] = ratio(tp, out.Support[a])
		out.F1[a] = f1(out.Precision[a], out.Recall[a])
		out.MacroPrecision += out.Precision[a] / float64(k)
		out.MacroRecall += out.Recall[a] / float64(k)
		out.MacroF1 += out.F1[a] / float64(k)
		if out.WeightSum > 0 {
			s := out.Support[a] / out.WeightSum
			out.WeightedPrecision += out.Precision[a] * s
			out.WeightedRecall += out.Recall[a] * s
			out.WeightedF1 += out.F1[a] * s
		}
	}
	return out
}
