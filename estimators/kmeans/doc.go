// Package kmeans implements k-means clustering: the estimators kmeans
// (scikit-learn's KMeans, Flink ML's KMeans) and mini_batch_kmeans
// (scikit-learn's MiniBatchKMeans), and their model kmeans_model.
//
// # Algorithm
//
// kmeans minimises the inertia sum_i ||x_i - c_{a(i)}||² over k centers.
// Each of n_init runs starts from greedy k-means++ (Arthur and
// Vassilvitskii 2007, "k-means++: the advantages of careful seeding"; as
// scikit-learn: 2 + ln k candidates per new center, each drawn with
// probability proportional to D(x)², keeping the one that lowers the
// potential most) or from k random rows, then runs Lloyd's iterations
// (Lloyd 1982): assign every row to its nearest center, move every center
// to the mean of its rows. An empty cluster takes the row farthest from
// its center (scikit-learn's relocation). A run stops when no label
// changed, when the sum of squared center shifts is at most tol times the
// mean per-feature variance (scikit-learn's relative tol), or after
// max_iter iterations; labels and inertia are then recomputed with the
// final centers. The run with the smallest inertia wins.
//
// mini_batch_kmeans (Sculley 2010, "Web-scale k-means clustering")
// initialises on init_size rows drawn with replacement (n_init candidates
// compared on another such sample), then for max_iter*rows/batch_size
// steps draws batch_size rows with replacement, assigns them and moves
// each center to the running mean of every row ever assigned to it. Every
// 10 + min(count) steps, centers whose count is below reassignment_ratio
// times the largest move to random rows of the batch. It stops early when
// the exponentially weighted batch inertia (weight 2*batch_size/(rows+1))
// has not improved for max_no_improvement steps, or, when tol > 0, when a
// step's squared center shift is at most tol times the mean variance. The
// reported inertia is over all rows with the final centers.
//
// Assignment uses argmax_c x·c - ||c||²/2; the distance of the winner is
// then computed exactly. Dot products and distances come from package
// vecmath (AVX2+FMA assembly on amd64 CPUs that have it, plain Go
// elsewhere or with -tags purego), which computes each center's value the
// same way however many it is given at once. Rows are
// split over two goroutines (fixed halves, so results do not depend on the
// machine) with per-goroutine partial sums; nothing is allocated per row.
// KMeans.FitRows clusters a subset of the rows of a matrix in place, as
// FitReport would a table of those rows (package bisectingkmeans splits
// with it).
//
// # Randomness and scikit-learn
//
// The generator is PCG seeded by seed; a seed fixes the result. The
// random streams cannot match numpy's, so single runs differ from
// scikit-learn's; with restarts both reach the same optimum: the tests
// compare the best inertia over n_init=10 and 5 seeds with scikit-learn's
// (iris, standardised wine and the peers' blobs: within 0.01%).
// scikit-learn 1.2's default n_init is 10 (1 for k-means++ since 1.4);
// Eddy's default is 1.
//
// # Params
//
// kmeans: features_col (dense or sparse vector), k (8), init (k-means++ |
// random), n_init (1), max_iter (300), tol (1e-4), seed (0), warm_start
// (false), prediction_col, model_version_col. mini_batch_kmeans: the
// same (warm_start included), with max_iter (100 passes), tol (0: off),
// batch_size (1024), init_size (0: 3*batch_size, at least 3*k),
// max_no_improvement (10) and reassignment_ratio (0.01). Sample weights
// are not supported.
//
// # Warm start
//
// kmeans with warm_start true runs Lloyd once from the centers of its
// previous Fit, or from those given to SetInitialCenters,
// SetInitialModel or SetInitialModelData (scikit-learn's
// KMeans(init=centers, n_init=1)); n_init and init are then unused, and
// from converged centers Fit stops after one iteration. There must be k
// centers of the data's dimension.
//
// mini_batch_kmeans with warm_start true continues the mini-batch updates
// from the centers of its previous Fit, or of SetInitialModel or
// SetInitialModelData, and from their per-center counts, as
// scikit-learn's partial_fit keeps its _counts: there is no
// initialisation (init, n_init and init_size are unused), and a center
// with count n_c moves to (n_c c + the sum of its new batch rows) /
// (n_c + their number), so the counts weigh the start against the new
// rows. The steps then run as in a cold Fit (max_iter passes, the same
// early stopping, reassignment of centers whose count falls below
// reassignment_ratio of the largest), and Report.Iter counts them. The
// counts are the model's weights, which the model data stores: the
// training rows nearest each center, and for a continued model these
// added to the initial counts, so that they count every row of every fit
// once. A saved model therefore continues exactly as the estimator that
// fitted it, and data from elsewhere (ModelDataRecord) states its counts
// in "weight". scikit-learn's counts after fit count every sampled row of
// every step (about max_iter times the rows), which would make later rows
// count for little. From a converged model on the same rows the centers
// stay put to within sampling noise (the tests: inertia within 1e-3
// relative). There must be k centers of the data's dimension; a mismatch
// is an error naming both values.
//
// mini_batch_kmeans remembers its centers and counts only with
// warm_start true, and a failed Fit keeps the previous start.
//
// # Output
//
// prediction: the index (0..k-1, as float64) of the nearest center.
// FitReport also returns the training inertia and iteration count.
//
// # Errors
//
// A NaN or infinite feature, a null vector (naming the row and the
// feature), vectors of mixed sizes, k larger than the number of rows, and
// at transform a vector size other than the centers'.
//
// # Model data
//
// One record, one row per center: dense vector "center" and float64
// "weight" (the number of training rows assigned to it; for a continued
// mini_batch_kmeans model, summed over the fits it comes from).
package kmeans
