// Package all registers every batch estimator kind of Eddy: import it for
// its side effect, so that the CLI, flows and modelio.Load can build and
// load any pipeline by kind name.
//
//	import _ "github.com/eddyml/eddy/estimators/all"
//
// # Contents
//
// One blank import per finished estimator package under estimators/
// (internal/ excepted). Add a new estimator package here when it is done;
// the test checks that every package with a doc.go is imported.
package all

import (
	// Each estimator registers its kinds in init.
	_ "github.com/eddyml/eddy/estimators/bisectingkmeans"
	_ "github.com/eddyml/eddy/estimators/decisiontree"
	_ "github.com/eddyml/eddy/estimators/gaussianmixture"
	_ "github.com/eddyml/eddy/estimators/gbt"
	_ "github.com/eddyml/eddy/estimators/isotonicregression"
	_ "github.com/eddyml/eddy/estimators/kmeans"
	_ "github.com/eddyml/eddy/estimators/knn"
	_ "github.com/eddyml/eddy/estimators/linearsvc"
	_ "github.com/eddyml/eddy/estimators/linreg"
	_ "github.com/eddyml/eddy/estimators/logreg"
	_ "github.com/eddyml/eddy/estimators/naivebayes"
	_ "github.com/eddyml/eddy/estimators/randomforest"
)
