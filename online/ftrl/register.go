package ftrl

import (
	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/online"
)

func init() {
	online.MustRegister(online.Spec{
		Kind:      Kind,
		ModelKind: logreg.ModelKind,
		Task:      online.TaskBinary,
		Doc:       "FTRL-Proximal logistic regression on dense or sparse (hashed) features",
		New:       func(v map[string]any) (online.Learner, error) { return New(v) },
		Outputs:   online.BinaryProbability(func(l online.Learner) [2]float64 { return l.(*FTRL).Labels() }),
	})
}
