// callWithBudget(fn, budgetMs): calls fn() and returns what it returns, or throws what it throws;
// if fn is still running after budgetMs of the calling thread's CPU time, its execution is
// terminated and callWithBudget throws an ordinary Error whose code is ERR_EXECSIM_TIME_BUDGET.
//
// Node's vm timeout does the same with a watchdog thread started and joined for every call
// (about 0.1 ms each); a strategy's callbacks are called thousands of times per run, so here each
// isolate keeps ONE watchdog thread for its life. Arming a call is two atomic stores (no system
// call); the watchdog polls every min(budget / 4, 25 ms) and measures the JavaScript thread's CPU
// time from the first poll that sees the call (so a call gets between its budget and its budget
// plus one poll). Past the budget it calls isolate->TerminateExecution(), which V8 allows from any
// thread. On the way out the termination is caught here (a v8::TryCatch), cancelled, and turned
// into the Error. Disarming takes the same lock as firing, so a termination requested just as the
// call returned is cancelled too, and never reaches the code after the call. A termination this
// watchdog did not request (a worker being stopped, process.exit) goes on unwinding.
//
// Nested calls (a call inside a call) arm only at the outermost. The watchdog sleeps when no call
// has been armed for a second, and the next arm wakes it. It is stopped and joined in the
// environment's cleanup hook (a worker thread's end; the main thread's exit).
//
// CPU time: the thread's own clock on Linux (a thread waiting for a core on a loaded machine is
// not charged); elsewhere the monotonic wall clock.
#include <node.h>
#include <v8.h>

#include <pthread.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace {

using v8::Context;
using v8::Exception;
using v8::External;
using v8::Function;
using v8::FunctionCallbackInfo;
using v8::FunctionTemplate;
using v8::Isolate;
using v8::Local;
using v8::MaybeLocal;
using v8::Object;
using v8::String;
using v8::TryCatch;
using v8::Value;

constexpr int64_t kMaxPollNs = 25'000'000;  // 25 ms
constexpr int64_t kMinPollNs = 1'000'000;   // 1 ms
constexpr int kIdlePollsBeforeSleep = 40;   // about a second of idle 25 ms polls

class Budget {
 public:
  explicit Budget(Isolate* isolate) : isolate_(isolate) {
#ifdef __linux__
    if (pthread_getcpuclockid(pthread_self(), &clock_) != 0) clock_ = CLOCK_MONOTONIC;
#endif
  }

  ~Budget() { Stop(); }

  /** Arms the watchdog for a call of budget_ns (the JS thread; the outermost call only). */
  void Arm(int64_t budget_ns) {
    if (!thread_.joinable()) thread_ = std::thread([this] { Watch(); });
    budget_ns_.store(budget_ns);
    generation_.fetch_add(1);  // odd: a call is running
    if (sleeping_.load()) {
      std::lock_guard<std::mutex> lock(mutex_);
      wake_.notify_one();
    }
  }

  /** Disarms; true when the watchdog fired for this call (its termination is then cancelled). */
  bool Disarm() {
    bool fired;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.fetch_add(1);  // even: no call running
      fired = fired_;
      fired_ = false;
    }
    if (fired) isolate_->CancelTerminateExecution();
    return fired;
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
  }

  int depth = 0;

 private:
  int64_t Now() const {
    struct timespec ts;
    clock_gettime(clock_, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
  }

  void Watch() {
    std::unique_lock<std::mutex> lock(mutex_);
    uint64_t seen = 0;
    int64_t since = 0;
    int idle = 0;
    while (!stopping_) {
      const uint64_t generation = generation_.load();
      const int64_t budget = budget_ns_.load();
      if ((generation & 1) != 0) {
        idle = 0;
        const int64_t now = Now();
        if (generation != seen) {
          seen = generation;
          since = now;
        } else if (!fired_ && now - since >= budget) {
          // Under the lock: the call cannot be disarmed between this check and the request.
          fired_ = true;
          isolate_->TerminateExecution();
        }
      } else if (++idle > kIdlePollsBeforeSleep) {
        sleeping_.store(true);
        wake_.wait(lock, [this] { return stopping_ || (generation_.load() & 1) != 0; });
        sleeping_.store(false);
        idle = 0;
        continue;
      }
      int64_t poll = budget / 4;
      if (poll > kMaxPollNs || poll <= 0) poll = kMaxPollNs;
      if (poll < kMinPollNs) poll = kMinPollNs;
      wake_.wait_for(lock, std::chrono::nanoseconds(poll));
    }
  }

  Isolate* const isolate_;
  clockid_t clock_ = CLOCK_MONOTONIC;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int64_t> budget_ns_{kMaxPollNs};
  std::atomic<bool> sleeping_{false};
  bool fired_ = false;     // under mutex_
  bool stopping_ = false;  // under mutex_
};

void ThrowTimedOut(Isolate* isolate, double budget_ms) {
  Local<Context> context = isolate->GetCurrentContext();
  char text[96];
  snprintf(text, sizeof text, "exceeded its time budget of %g ms", budget_ms);
  Local<Value> error = Exception::Error(String::NewFromUtf8(isolate, text).ToLocalChecked());
  error.As<Object>()
      ->Set(context, String::NewFromUtf8Literal(isolate, "code"),
            String::NewFromUtf8Literal(isolate, "ERR_EXECSIM_TIME_BUDGET"))
      .Check();
  isolate->ThrowException(error);
}

void CallWithBudget(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  auto* budget = static_cast<Budget*>(info.Data().As<External>()->Value());
  if (info.Length() < 2 || !info[0]->IsFunction() || !info[1]->IsNumber()) {
    isolate->ThrowException(Exception::TypeError(
        String::NewFromUtf8Literal(isolate, "callWithBudget(fn, budgetMs): a function and a number of ms")));
    return;
  }
  const double budget_ms = info[1].As<v8::Number>()->Value();
  if (!(budget_ms > 0 && budget_ms <= 86'400'000)) {
    isolate->ThrowException(Exception::RangeError(
        String::NewFromUtf8Literal(isolate, "callWithBudget: budgetMs must be above 0 and at most a day")));
    return;
  }
  Local<Function> fn = info[0].As<Function>();
  Local<Context> context = isolate->GetCurrentContext();
  const bool outermost = budget->depth == 0;
  if (outermost) budget->Arm(static_cast<int64_t>(budget_ms * 1e6));
  budget->depth++;
  bool timed_out = false;
  {
    TryCatch try_catch(isolate);
    MaybeLocal<Value> result = fn->Call(context, v8::Undefined(isolate), 0, nullptr);
    budget->depth--;
    // Ours: the call ran past its budget (terminated, or it returned just as the watchdog fired).
    if (outermost && budget->Disarm()) {
      timed_out = true;
    } else if (try_catch.HasTerminated()) {
      return;  // not ours: it goes on unwinding
    } else if (try_catch.HasCaught()) {
      try_catch.ReThrow();
      return;
    } else {
      Local<Value> value;
      if (result.ToLocal(&value)) info.GetReturnValue().Set(value);
      return;
    }
  }
  if (timed_out) ThrowTimedOut(isolate, budget_ms);
}

void Cleanup(void* arg) { delete static_cast<Budget*>(arg); }

}  // namespace

NODE_MODULE_INIT(/* exports, module, context */) {
  Isolate* isolate = context->GetIsolate();
  auto* budget = new Budget(isolate);
  node::AddEnvironmentCleanupHook(isolate, Cleanup, budget);
  Local<External> data = External::New(isolate, budget);
  Local<Function> fn = FunctionTemplate::New(isolate, CallWithBudget, data)->GetFunction(context).ToLocalChecked();
  exports->Set(context, String::NewFromUtf8Literal(isolate, "callWithBudget"), fn).Check();
}
