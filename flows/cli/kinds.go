package cli

// Every stage kind, so that train, serve and predict can build and load
// any pipeline by kind name.
import (
	_ "github.com/eddyml/eddy/estimators/all"
	_ "github.com/eddyml/eddy/transformers/all"
)
