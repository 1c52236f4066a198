package softmax

import (
	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/online"
)

func init() {
	online.MustRegister(online.Spec{
		Kind:      Kind,
		ModelKind: logreg.ModelKind,
		Task:      online.TaskMulticlass,
		Doc:       "online softmax (multinomial logistic) regression",
		New:       func(v map[string]any) (online.Learner, error) { return New(v) },
		Outputs:   online.ArgmaxClass(func(l online.Learner) []float64 { return l.(*Softmax).labels }),
	})
}
