/// The media types the importer reads (OCI image-spec v1 and Docker image manifest v2,
/// schema 2).
enum MediaTypes {
  /// Image indexes: an OCI image index or a Docker manifest list.
  static let indexes: Set<String> = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
  ]
  /// Image manifests: OCI or Docker schema 2.
  static let manifests: Set<String> = [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
  ]
  /// Layers: tar with gzip, zstd or no compression (the compression is also detected from
  /// the bytes, so a mislabelled blob still reads).
  static let layers: Set<String> = [
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.diff.tar.zstd",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  ]
}
