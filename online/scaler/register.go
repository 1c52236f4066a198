package scaler

import (
	"github.com/eddyml/eddy/online"
	"github.com/eddyml/eddy/transformers/standardscaler"
)

func init() {
	online.MustRegister(online.Spec{
		Kind:      Kind,
		ModelKind: standardscaler.ModelKind,
		Task:      online.TaskTransform,
		Doc:       "online standard scaler (running mean and standard deviation)",
		New:       func(v map[string]any) (online.Learner, error) { return New(v) },
	})
}
