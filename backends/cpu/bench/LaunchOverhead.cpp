// Launch overhead of an empty kernel: queued launches, launch-and-wait round trips, and
// launches per second from several host threads, each on its own stream.
#include "BenchSupport.h"

#include <thread>

using namespace drawbridge::backend;
using namespace drawbridge::backend::cpu::bench;

int main() {
  Session session("bench");
  Kernel* empty = session.kernel("empty");
  const int launches = 20000;
  double queued = fastest(3, [&] {
    for (int i = 0; i < launches; ++i)
      session.launch(empty, {1}, {1}, nullptr);
    check(session.device->synchronize(), "synchronize");
  });
  double roundTrip = fastest(3, [&] {
    for (int i = 0; i < launches / 10; ++i) {
      session.launch(empty, {1}, {1}, nullptr);
      check(session.device->synchronize(), "synchronize");
    }
  });
  const int hostThreads = 4;
  std::vector<Stream*> streams;
  for (int t = 0; t < hostThreads; ++t)
    streams.push_back(*session.device->createStream(StreamKind::NonBlocking));
  double threaded = fastest(3, [&] {
    std::vector<std::thread> threads;
    for (int t = 0; t < hostThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < launches / hostThreads; ++i)
          session.launch(empty, {1}, {1}, streams[size_t(t)]);
        check(session.device->synchronizeStream(streams[size_t(t)]), "synchronize");
      });
    for (std::thread& thread : threads)
      thread.join();
  });
  std::printf("empty kernel <<<1,1>>> launches\n");
  std::printf("  queued on the default stream  %8.2f us/launch  %10.0f launches/s\n",
              queued / launches * 1e6, launches / queued);
  std::printf("  launch + synchronize          %8.2f us/launch  %10.0f launches/s\n",
              roundTrip / (launches / 10) * 1e6, (launches / 10) / roundTrip);
  std::printf("  %d host threads, own streams  %8.2f us/launch  %10.0f launches/s\n", hostThreads,
              threaded / launches * 1e6, launches / threaded);
  return 0;
}
