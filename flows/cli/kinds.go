package cli

// The stage kinds serve and predict can load.
import (
	_ "github.com/eddyml/eddy/estimators/linreg"
	_ "github.com/eddyml/eddy/estimators/logreg"
	_ "github.com/eddyml/eddy/transformers/all"
)
