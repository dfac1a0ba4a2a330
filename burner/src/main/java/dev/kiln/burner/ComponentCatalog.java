package dev.kiln.burner;

import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.ComponentId;
import dev.kiln.registers.Mcqi;
import dev.kiln.registers.McqiCapabilities;
import dev.kiln.registers.McqiInfoType;
import dev.kiln.registers.Mcqs;
import dev.kiln.registers.TransportException;
import java.util.ArrayList;
import java.util.List;

/**
 * Enumerates the device's components (MCQS with MCQI CAPABILITIES, protocol doc §2.5) and keeps
 * them until something changes the device ({@link #invalidate}).
 */
final class ComponentCatalog {
  private final DeviceLink link;
  private List<SecureDevice.Component> components;

  ComponentCatalog(DeviceLink link) {
    this.link = link;
  }

  /** The MCQS components with their MCQI capabilities (enumerated once until invalidated). */
  List<SecureDevice.Component> components() throws DeviceException, TransportException {
    if (components != null) {
      return components;
    }
    List<SecureDevice.Component> found = new ArrayList<>();
    for (int index = 0; index < 64; index++) {
      RegisterClient.Reply status =
          link.client().get(AccessRegister.MCQS, Mcqs.query(index).encode());
      if (!status.ok()) {
        throw new DeviceException(
            link.uri() + ": component query (MCQS index " + index + ") failed: "
                + status.status().text());
      }
      Mcqs mcqs = Mcqs.decode(status.payload());
      McqiCapabilities capabilities = capabilities(index, true);
      if (capabilities == null) {
        capabilities = capabilities(index, false);
      }
      if (capabilities == null) {
        throw new DeviceException(
            link.uri() + ": component info (MCQI index " + index + ") failed");
      }
      found.add(new SecureDevice.Component(index, mcqs.component(), mcqs, capabilities));
      if (mcqs.lastIndexFlag()) {
        break;
      }
    }
    components = List.copyOf(found);
    return components;
  }

  /** Forgets the components: a burn, reset or reactivation changed their states. */
  void invalidate() {
    components = null;
  }

  private McqiCapabilities capabilities(int index, boolean pending) throws TransportException {
    RegisterClient.Reply reply =
        link.client().get(
            AccessRegister.MCQI,
            Mcqi.query(index, McqiInfoType.CAPABILITIES, pending).encode());
    if (!reply.ok()) {
      return null;
    }
    return McqiCapabilities.decode(Mcqi.decode(reply.payload()).data());
  }

  /** The BOOT_IMG component. */
  SecureDevice.Component bootImage() throws DeviceException, TransportException {
    for (SecureDevice.Component component : components()) {
      if (component.id() == ComponentId.BOOT_IMG) {
        return component;
      }
    }
    throw new DeviceException(
        link.uri() + ": Component not supported (the device lists no BOOT_IMG)");
  }
}
