// External memory (ExternalMemoryApi.cpp): what cudaFree needs of it.
#pragma once

namespace drawbridge::cudart {

/// cudaFree of a buffer cudaExternalMemoryGetMappedBuffer returned (CUDA frees them so); false
/// when the pointer is none.
bool freeMappedBuffer(void* pointer);

} // namespace drawbridge::cudart
