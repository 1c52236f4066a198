// Package all registers every online learner kind of Eddy with package
// online: import it for its side effects.
//
//	import _ "github.com/eddyml/eddy/online/all"
package all

import (
	// Each import registers its learner kinds from init.
	_ "github.com/eddyml/eddy/online/ftrl"
	_ "github.com/eddyml/eddy/online/hoeffding"
	_ "github.com/eddyml/eddy/online/kmeans"
	_ "github.com/eddyml/eddy/online/naivebayes"
	_ "github.com/eddyml/eddy/online/pa"
	_ "github.com/eddyml/eddy/online/scaler"
	_ "github.com/eddyml/eddy/online/sgd"
	_ "github.com/eddyml/eddy/online/softmax"
)
