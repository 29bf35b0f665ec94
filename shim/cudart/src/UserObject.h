// CUDA user objects: a pointer and a destructor that runs once the last reference, the
// program's or a graph's, is released. Graphs, the executable graphs made from them and each
// launch in flight own references of their own, so a resource a graph's work uses outlives
// that work however early the program lets go of it.
#pragma once

#include <atomic>
#include <cuda_runtime_api.h>
#include <map>

struct CUuserObject_st {
  void* pointer;
  cudaHostFn_t destroy;
  std::atomic<unsigned long long> references;

  void retain(unsigned long long count) { references += count; }
  /// Runs the destructor and frees the object when the last reference goes.
  void release(unsigned long long count);
};

namespace drawbridge::cudart {

/// The references to user objects that one owner (a graph, an executable graph, a launch)
/// holds, released when the owner goes.
class UserObjectReferences {
public:
  UserObjectReferences() = default;
  UserObjectReferences(const UserObjectReferences& other);
  /// Copy and swap: the references held before are released.
  UserObjectReferences& operator=(UserObjectReferences other) {
    held_.swap(other.held_);
    return *this;
  }
  ~UserObjectReferences();

  /// Takes `count` references: new ones, or, when `move`, ones the caller held.
  void add(cudaUserObject_t object, unsigned long long count, bool move);
  /// Gives back `count` of the references held; false (and nothing released) if fewer are held.
  bool remove(cudaUserObject_t object, unsigned long long count);
  /// Takes new references to everything `other` holds.
  void addAll(const UserObjectReferences& other);
  bool empty() const { return held_.empty(); }

private:
  std::map<cudaUserObject_t, unsigned long long> held_;
};

} // namespace drawbridge::cudart
