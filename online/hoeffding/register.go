package hoeffding

import (
	"github.com/eddyml/eddy/estimators/decisiontree"
	"github.com/eddyml/eddy/online"
)

func init() {
	online.MustRegister(online.Spec{
		Kind:      Kind,
		ModelKind: decisiontree.ClassifierModelKind,
		Task:      online.TaskMulticlass,
		Doc:       "Hoeffding tree classifier (VFDT)",
		New:       func(v map[string]any) (online.Learner, error) { return New(v) },
	})
}
