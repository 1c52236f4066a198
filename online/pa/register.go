package pa

import (
	"github.com/eddyml/eddy/estimators/linearsvc"
	"github.com/eddyml/eddy/estimators/linreg"
	"github.com/eddyml/eddy/online"
)

func init() {
	online.MustRegister(online.Spec{
		Kind:      ClassifierKind,
		ModelKind: linearsvc.ModelKind,
		Task:      online.TaskBinary,
		Doc:       "passive-aggressive binary classifier (no probability)",
		New:       func(v map[string]any) (online.Learner, error) { return NewClassifier(v) },
		Outputs:   online.BinaryMargin(func(l online.Learner) [2]float64 { return l.(*Classifier).Labels() }),
	})
	online.MustRegister(online.Spec{
		Kind:      RegressorKind,
		ModelKind: linreg.ModelKind,
		Task:      online.TaskRegression,
		Doc:       "passive-aggressive regressor",
		New:       func(v map[string]any) (online.Learner, error) { return NewRegressor(v) },
	})
}

// Labels returns the two class labels (negative, positive).
func (m *Classifier) Labels() [2]float64 { return m.l.labels }
