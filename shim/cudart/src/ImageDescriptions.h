// What a texture or surface object reads and how it samples, from the descriptions a program
// gives cudaCreateTextureObject and cudaCreateSurfaceObject, as the backend's ImageObject.
#pragma once

#include "drawbridge/backend/Images.h"

#include <cuda_runtime_api.h>

namespace drawbridge::cudart {

/// The memory, extent, format and mipmap levels of a resource, through `view` when not null
/// (only arrays and mipmapped arrays take one).
cudaError_t describeResource(const cudaResourceDesc& resource, const cudaResourceViewDesc* view,
                             backend::ImageObject& image);
/// How a texture samples the resource describeResource gave `image`.
cudaError_t describeSampling(const cudaTextureDesc& texture, backend::ImageObject& image);

} // namespace drawbridge::cudart
