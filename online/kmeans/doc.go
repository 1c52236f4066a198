// Package kmeans is online k-means with a decay factor: the learner
// online_kmeans, after Flink ML's OnlineKMeans and Spark MLlib's
// StreamingKMeans (the mini-batch update of Sculley, "Web-scale k-means
// clustering", WWW 2010, with forgetfulness).
//
// # Update
//
// Each Update batch is assigned to the nearest centroids (squared
// Euclidean distance) as they were before the batch. Then, with decay
// factor a, every centroid's weight is decayed and the centroids that got
// rows move to the weighted mean of their old position and the batch:
//
//	n_c = rows of the batch assigned to c,  s_c = their sum
//	w_c' = a w_c + n_c
//	c'   = (a w_c c + s_c) / w_c'           when n_c > 0
//
// a = 1 (the default, Spark's) weighs every row ever seen alike; a = 0
// keeps only the latest batch (Flink ML's default); values between forget
// old batches geometrically, which lets the centroids follow drift. The
// result depends on how the stream is cut into batches, as in Flink and
// Spark; the per-row path is a batch of one row.
//
// # Initialisation
//
// Until k rows have been seen the learner buffers them; then it picks k
// initial centroids from the buffered rows by k-means++ (Arthur and
// Vassilvitskii 2007) with the seed param, gives each weight 0 and learns
// the buffered rows as one batch. WarmStart instead starts from a
// kmeans_model's centers and weights (Flink's initial model data).
//
// # Reverse communication
//
// Update / UpdatePredict learn a batch of dense or sparse "features"
// vectors; UpdatePredict writes each row's cluster under the centroids
// before the batch (-1 while buffering). UpdateRow / UpdateDense learn one
// row. Snapshot and Restore carry the full state, buffered rows included,
// bit for bit. Model returns a kmeans_model (estimators/kmeans).
package kmeans
