package runstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultLeaseTTL is how long a Redis flow lease lives without renewal;
// the holder renews it every third of that.
const DefaultLeaseTTL = 15 * time.Second

func (s *RedisStore) lockKey(flow string) string { return s.prefix + "lock:" + flow }

// SetLeaseTTL sets the TTL of the leases Lock takes (default
// DefaultLeaseTTL): a holder that dies without releasing its lease
// blocks the flow that long.
func (s *RedisStore) SetLeaseTTL(d time.Duration) { s.leaseTTL = d }

var (
	renewScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`)
	freeScript  = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`)
	stealScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3]) else return false end`)
)

// deadLocalHolder reports whether lease value names a process of this
// host that no longer runs (killed without releasing its lease).
func deadLocalHolder(value, host string) bool {
	var pid int
	var h, token string
	if _, err := fmt.Sscanf(value, "pid %d on %s %s", &pid, &h, &token); err != nil || h != host || host == "" || pid <= 0 {
		return false
	}
	return pid != os.Getpid() && !processAlive(pid)
}

// Lock implements Store: a lease, the key PREFIX:lock:FLOW set with NX
// and a TTL to "pid PID on HOST TOKEN", renewed every TTL/3 while held
// and deleted on Release. A lease whose holder ran on this host and no
// longer runs (kill -9) is taken over at once. Lost is closed when a renewal finds the key
// gone or another holder's, or when no renewal succeeds before the TTL
// runs out.
func (s *RedisStore) Lock(ctx context.Context, flow string) (Lock, error) {
	if err := checkID(flow); err != nil {
		return nil, fmt.Errorf("run store: lock: flow %w", err)
	}
	ttl := s.leaseTTL
	if ttl <= 0 {
		ttl = DefaultLeaseTTL
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	host, _ := os.Hostname()
	value := fmt.Sprintf("pid %d on %s %s", os.Getpid(), host, hex.EncodeToString(b[:]))
	key := s.lockKey(flow)
	ok, err := s.c.SetNX(ctx, key, value, ttl).Result()
	if err != nil {
		return nil, fmt.Errorf("run store: lock %s: %w", key, err)
	}
	if !ok {
		holder, err := s.c.Get(ctx, key).Result()
		if err == nil && deadLocalHolder(holder, host) {
			// The holder ran on this host and died: take the lease over
			// rather than wait for it to expire.
			err := stealScript.Run(ctx, s.c, []string{key}, holder, value, ttl.Milliseconds()).Err()
			if err == nil {
				ok = true
			} else if !errors.Is(err, redis.Nil) {
				return nil, fmt.Errorf("run store: lock %s: %w", key, err)
			}
		}
	}
	if !ok {
		holder, err := s.c.Get(ctx, key).Result()
		if errors.Is(err, redis.Nil) {
			holder = "a holder that just released it"
		} else if i := strings.LastIndexByte(holder, ' '); i > 0 {
			holder = holder[:i] // drop the token
		}
		return nil, fmt.Errorf("%w: flow %q: lease %s in redis %s is held by %s (it expires %s after its holder stops renewing it)",
			ErrLocked, flow, key, s.c.Options().Addr, holder, ttl)
	}
	l := &redisLock{c: s.c, key: key, value: value, ttl: ttl, lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	go l.renew()
	return l, nil
}

type redisLock struct {
	c          *redis.Client
	key, value string
	ttl        time.Duration
	lost       chan struct{}
	stop, done chan struct{}
	once       sync.Once
	err        error
}

func (l *redisLock) Lost() <-chan struct{} { return l.lost }

// renew extends the lease every ttl/3 until stopped, closing lost when
// the lease is gone or expired unrenewed.
func (l *redisLock) renew() {
	defer close(l.done)
	every := l.ttl / 3
	t := time.NewTicker(every)
	defer t.Stop()
	valid := time.Now().Add(l.ttl)
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), every)
		start := time.Now()
		n, err := renewScript.Run(ctx, l.c, []string{l.key}, l.value, l.ttl.Milliseconds()).Int()
		cancel()
		switch {
		case err == nil && n == 1:
			valid = start.Add(l.ttl)
		case err == nil || time.Now().After(valid):
			// The key is gone or someone else's, or the lease ran out.
			close(l.lost)
			return
		}
	}
}

// Release implements Lock.
func (l *redisLock) Release() error {
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := freeScript.Run(ctx, l.c, []string{l.key}, l.value).Err(); err != nil {
			l.err = fmt.Errorf("run store: unlock %s: %w", l.key, err)
		}
	})
	return l.err
}
