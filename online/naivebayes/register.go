package naivebayes

import (
	enb "github.com/eddyml/eddy/estimators/naivebayes"
	"github.com/eddyml/eddy/online"
)

func init() {
	online.MustRegister(online.Spec{
		Kind:      GaussianKind,
		ModelKind: enb.GaussianModelKind,
		Task:      online.TaskMulticlass,
		Doc:       "incremental Gaussian naive Bayes",
		New:       func(v map[string]any) (online.Learner, error) { return NewGaussian(v) },
	})
	online.MustRegister(online.Spec{
		Kind:      MultinomialKind,
		ModelKind: enb.MultinomialModelKind,
		Task:      online.TaskMulticlass,
		Doc:       "incremental multinomial naive Bayes",
		New:       func(v map[string]any) (online.Learner, error) { return NewMultinomial(v) },
	})
}
