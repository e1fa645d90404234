import { createRegistry, toBinary } from "@bufbuild/protobuf";
import type { DescFile, DescService, Registry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";

/**
 * What server reflection needs to answer: the served services, and every file they
 * depend on, findable by file name or by fully-qualified symbol.
 */
export interface DescriptorIndex {
  readonly serviceNames: readonly string[];
  fileByName(name: string): DescFile | undefined;
  fileContainingSymbol(symbol: string): DescFile | undefined;
  fileContainingExtension(typeName: string, fieldNumber: number): DescFile | undefined;
  extensionNumbersOf(typeName: string): number[] | undefined;
  /** The file and all its transitive imports, serialised, the file first. */
  serialisedWithImports(file: DescFile): Uint8Array[];
}

/**
 * @param services the services the server answers
 * @param extraFiles files clients may need beyond the services' own imports, such as
 *   the error-detail messages the server attaches to errors
 */
export function createDescriptorIndex(services: readonly DescService[], extraFiles: readonly DescFile[] = []): DescriptorIndex {
  const files = new Map<string, DescFile>();
  const collect = (file: DescFile): void => {
    if (files.has(file.proto.name)) return;
    files.set(file.proto.name, file);
    file.dependencies.forEach(collect);
  };
  services.forEach((service) => collect(service.file));
  extraFiles.forEach(collect);
  const registry: Registry = createRegistry(...files.values());

  return {
    serviceNames: services.map((service) => service.typeName),
    fileByName: (name) => files.get(name),
    fileContainingSymbol(symbol) {
      const found = registry.get(symbol);
      if (found) return found.file;
      // A method or field: "pkg.Service.Method" lives in the file of "pkg.Service".
      const parent = registry.get(symbol.slice(0, Math.max(0, symbol.lastIndexOf("."))));
      return parent?.file;
    },
    fileContainingExtension(typeName, fieldNumber) {
      const message = registry.getMessage(typeName);
      return message ? registry.getExtensionFor(message, fieldNumber)?.file : undefined;
    },
    extensionNumbersOf(typeName) {
      const message = registry.getMessage(typeName);
      if (!message) return undefined;
      const numbers: number[] = [];
      for (const desc of registry) {
        if (desc.kind === "extension" && desc.extendee.typeName === typeName) numbers.push(desc.number);
      }
      return numbers;
    },
    serialisedWithImports(file) {
      const ordered: DescFile[] = [];
      const visit = (current: DescFile): void => {
        if (ordered.includes(current)) return;
        ordered.push(current);
        current.dependencies.forEach(visit);
      };
      visit(file);
      return ordered.map((entry) => toBinary(FileDescriptorProtoSchema, entry.proto));
    },
  };
}
