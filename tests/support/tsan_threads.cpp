// Built into the test binaries of the ThreadSanitizer preset only. Debian's librdkafka uses C11
// threads, and glibc's C11 functions call its internal pthread functions, past TSan's
// interceptors: TSan never learns of librdkafka's threads (it crashed on the mock cluster's
// thread's first allocation) nor of its locks (every record handed through its queues looked
// like a race). These definitions, found before glibc's, go through the pthread functions TSan
// sees (glibc's mtx_t and cnd_t are a pthread_mutex_t and a pthread_cond_t).

#include <pthread.h>
#include <threads.h>

#include <cerrno>
#include <cstdint>
#include <new>

namespace {

struct start {
  thrd_start_t fn;
  void* arg;
};

void* run(void* p) {
  auto s = *static_cast<start*>(p);
  delete static_cast<start*>(p);
  return reinterpret_cast<void*>(static_cast<intptr_t>(s.fn(s.arg)));
}

int status(int err) {
  return err == 0           ? thrd_success
         : err == EBUSY     ? thrd_busy
         : err == ETIMEDOUT ? thrd_timedout
         : err == ENOMEM    ? thrd_nomem
                            : thrd_error;
}

pthread_mutex_t* native(mtx_t* m) {
  return reinterpret_cast<pthread_mutex_t*>(m);
}

pthread_cond_t* native(cnd_t* c) {
  return reinterpret_cast<pthread_cond_t*>(c);
}

}  // namespace

extern "C" {

int mtx_init(mtx_t* m, int type) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  if (type & mtx_recursive)
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  int err = pthread_mutex_init(native(m), &attr);
  pthread_mutexattr_destroy(&attr);
  return status(err);
}

int mtx_lock(mtx_t* m) {
  return status(pthread_mutex_lock(native(m)));
}

int mtx_trylock(mtx_t* m) {
  return status(pthread_mutex_trylock(native(m)));
}

int mtx_timedlock(mtx_t* m, const struct timespec* at) {
  return status(pthread_mutex_timedlock(native(m), at));
}

int mtx_unlock(mtx_t* m) {
  return status(pthread_mutex_unlock(native(m)));
}

void mtx_destroy(mtx_t* m) {
  pthread_mutex_destroy(native(m));
}

int cnd_init(cnd_t* c) {
  return status(pthread_cond_init(native(c), nullptr));
}

int cnd_signal(cnd_t* c) {
  return status(pthread_cond_signal(native(c)));
}

int cnd_broadcast(cnd_t* c) {
  return status(pthread_cond_broadcast(native(c)));
}

int cnd_wait(cnd_t* c, mtx_t* m) {
  return status(pthread_cond_wait(native(c), native(m)));
}

int cnd_timedwait(cnd_t* c, mtx_t* m, const struct timespec* at) {
  return status(pthread_cond_timedwait(native(c), native(m), at));
}

void cnd_destroy(cnd_t* c) {
  pthread_cond_destroy(native(c));
}

int thrd_create(thrd_t* thr, thrd_start_t fn, void* arg) {
  auto* s = new (std::nothrow) start{fn, arg};
  if (!s)
    return thrd_nomem;
  int err = pthread_create(thr, nullptr, run, s);
  if (err != 0) {
    delete s;
    return err == EAGAIN ? thrd_nomem : thrd_error;
  }
  return thrd_success;
}

int thrd_join(thrd_t thr, int* res) {
  void* out = nullptr;
  if (pthread_join(thr, &out) != 0)
    return thrd_error;
  if (res)
    *res = static_cast<int>(reinterpret_cast<intptr_t>(out));
  return thrd_success;
}

int thrd_detach(thrd_t thr) {
  return pthread_detach(thr) == 0 ? thrd_success : thrd_error;
}

}  // extern "C"
