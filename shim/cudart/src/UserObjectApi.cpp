// User objects and the references graphs own to them (UserObject.h).
#include "Api.h"
#include "Export.h"
#include "Graph.h"

#include <climits>

using namespace drawbridge::cudart;

namespace {

// CUDA takes reference counts from 1 to INT_MAX.
bool validCount(unsigned count) {
  return count != 0 && count <= INT_MAX;
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaUserObjectCreate(cudaUserObject_t* object_out, void* ptr,
                                                          cudaHostFn_t destroy,
                                                          unsigned int initialRefcount,
                                                          unsigned int flags) {
  return api(
      "cudaUserObjectCreate",
      [&] {
        // cudaUserObjectNoDestructorSync is the only flag, and CUDA requires it.
        if (!object_out || !destroy || !validCount(initialRefcount) ||
            flags != cudaUserObjectNoDestructorSync)
          return cudaErrorInvalidValue;
        *object_out = new CUuserObject_st{ptr, destroy, initialRefcount};
        return cudaSuccess;
      },
      object_out, ptr, destroy, initialRefcount, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaUserObjectRetain(cudaUserObject_t object,
                                                          unsigned int count) {
  return api(
      "cudaUserObjectRetain",
      [&] {
        if (!object || !validCount(count))
          return cudaErrorInvalidValue;
        object->retain(count);
        return cudaSuccess;
      },
      object, count);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaUserObjectRelease(cudaUserObject_t object,
                                                           unsigned int count) {
  return api(
      "cudaUserObjectRelease",
      [&] {
        if (!object || !validCount(count))
          return cudaErrorInvalidValue;
        object->release(count);
        return cudaSuccess;
      },
      object, count);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphRetainUserObject(cudaGraph_t graph,
                                                               cudaUserObject_t object,
                                                               unsigned int count,
                                                               unsigned int flags) {
  return api(
      "cudaGraphRetainUserObject",
      [&] {
        if (!graph || !object || !validCount(count) || (flags & ~cudaGraphUserObjectMove))
          return cudaErrorInvalidValue;
        graph->userObjects.add(object, count, flags & cudaGraphUserObjectMove);
        return cudaSuccess;
      },
      graph, object, count, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphReleaseUserObject(cudaGraph_t graph,
                                                                cudaUserObject_t object,
                                                                unsigned int count) {
  return api(
      "cudaGraphReleaseUserObject",
      [&] {
        if (!graph || !object || !validCount(count))
          return cudaErrorInvalidValue;
        // Releasing references the graph does not own is undefined in CUDA; refused here.
        return graph->userObjects.remove(object, count) ? cudaSuccess : cudaErrorInvalidValue;
      },
      graph, object, count);
}
