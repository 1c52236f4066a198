package sgd

import (
	"github.com/eddyml/eddy/estimators/linreg"
	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/online"
)

func init() {
	online.MustRegister(online.Spec{
		Kind:      LogisticKind,
		ModelKind: logreg.ModelKind,
		Task:      online.TaskBinary,
		Doc:       "online logistic regression by SGD, AdaGrad, RMSProp or Adam",
		New:       func(v map[string]any) (online.Learner, error) { return NewLogistic(v) },
		Outputs:   online.BinaryProbability(func(l online.Learner) [2]float64 { return l.(*Logistic).Labels() }),
	})
	online.MustRegister(online.Spec{
		Kind:      LinearKind,
		ModelKind: linreg.ModelKind,
		Task:      online.TaskRegression,
		Doc:       "online linear regression by SGD, AdaGrad, RMSProp or Adam",
		New:       func(v map[string]any) (online.Learner, error) { return NewLinear(v) },
	})
}

// Labels returns the two class labels (negative, positive).
func (m *Logistic) Labels() [2]float64 { return m.l.labels }
