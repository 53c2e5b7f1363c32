// Clang's thread-safety annotations, and a mutex that carries them.
//
// Under clang with -Wthread-safety (the top-level CMakeLists.txt turns it on
// for clang builds) the compiler checks that every member marked
// GUARDED_BY(mu_) is touched only with mu_ held, and that a function marked
// REQUIRES(mu_) is called only with it held. Under other compilers the macros
// expand to nothing and Mutex is a plain std::mutex.
//
// The analysis sees only alder::Mutex (std::mutex carries no annotations), so
// state a mutex guards is guarded by a Mutex:
//
//   Mutex mu_;
//   int count_ GUARDED_BY(mu_) = 0;
//   ...
//   MutexLock lock(&mu_);          // held until the end of the scope
//   while (count_ != 0) zero_.Wait(&mu_);
//
// Mutex, MutexLock and CondVar are thread-safe in the sense of their std
// counterparts; none is copyable.
#ifndef ALDER_SERVER_COMMON_THREAD_ANNOTATIONS_H_
#define ALDER_SERVER_COMMON_THREAD_ANNOTATIONS_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>

#if defined(__clang__)
#define ALDER_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define ALDER_THREAD_ANNOTATION(x)
#endif

// On a class: its objects are capabilities (mutexes), named `x` in messages.
#define CAPABILITY(x) ALDER_THREAD_ANNOTATION(capability(x))
// On a class: an RAII object that holds a capability for its lifetime.
#define SCOPED_CAPABILITY ALDER_THREAD_ANNOTATION(scoped_lockable)
// On a member: read or written only with the given mutex held.
#define GUARDED_BY(x) ALDER_THREAD_ANNOTATION(guarded_by(x))
// On a pointer member: what it points to is accessed only with the mutex held.
#define PT_GUARDED_BY(x) ALDER_THREAD_ANNOTATION(pt_guarded_by(x))
// On a function: callers must hold the given mutexes.
#define REQUIRES(...) ALDER_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
// On a function: callers must not hold the given mutexes (it takes them).
#define EXCLUDES(...) ALDER_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// On a function: it acquires / releases the mutexes (`this` when none given).
#define ACQUIRE(...) ALDER_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) ALDER_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
// On a function: acquires the mutex when it returns `x`.
#define TRY_ACQUIRE(...) ALDER_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
// On a function: checks at run time (or asserts) that the mutex is held.
#define ASSERT_CAPABILITY(x) ALDER_THREAD_ANNOTATION(assert_capability(x))
// On a function: the analysis does not look inside. Say why where it is used.
#define NO_THREAD_SAFETY_ANALYSIS ALDER_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace alder {

class CondVar;

// A std::mutex the analysis knows about. It also meets BasicLockable
// (lock()/unlock()), so std::condition_variable_any can wait on it directly
// where CondVar does not fit (e.g. a wait that a std::stop_token interrupts).
class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  bool TryLock() TRY_ACQUIRE(true) { return mu_.try_lock(); }

  // Tells the analysis the mutex is held where it cannot see the acquisition
  // (e.g. inside a lambda that runs under the lock). Checks nothing at run time.
  void AssertHeld() const ASSERT_CAPABILITY(this) {}

  // BasicLockable spellings, for the standard library's templates.
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds a Mutex from construction to destruction. Unlock() and Lock() drop
// and retake it inside the scope (the destructor then releases only if held).
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() {
    if (held_) mu_->Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void Unlock() RELEASE() {
    mu_->Unlock();
    held_ = false;
  }
  void Lock() ACQUIRE() {
    mu_->Lock();
    held_ = true;
  }

 private:
  Mutex* const mu_;
  bool held_ = true;
};

// A std::condition_variable that waits on a Mutex. As with std, a wait may
// return spuriously: wait in a loop, or pass the condition as `pred`. The
// analysis checks a lambda on its own, with no lock held, so a predicate
// that reads guarded state says so: [this]() REQUIRES(mu_) { return n_ == 0; }
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Releases *mu, blocks until notified (or spuriously), retakes *mu.
  void Wait(Mutex* mu) REQUIRES(*mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // *mu stays held, by the caller
  }
  // Waits until pred() holds (checked with *mu held).
  template <class Predicate>
  void Wait(Mutex* mu, Predicate pred) REQUIRES(*mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock, std::move(pred));
    lock.release();
  }
  // Waits until pred() holds or `timeout` passed; returns pred().
  template <class Rep, class Period, class Predicate>
  bool WaitFor(Mutex* mu, std::chrono::duration<Rep, Period> timeout, Predicate pred)
      REQUIRES(*mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const bool met = cv_.wait_for(lock, timeout, std::move(pred));
    lock.release();
    return met;
  }

  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace alder

#endif  // ALDER_SERVER_COMMON_THREAD_ANNOTATIONS_H_
