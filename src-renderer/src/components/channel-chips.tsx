// Compact per-channel visibility toggles on the shared display state (for the plate browser).
import { Chip, Group } from '@mantine/core';
import { hex } from '../../../src-shared/colormaps';
import { CHANNEL_STAINS, toggleChannel } from '../../../src-shared/display-state';
import { useAppState } from '../state/app-state';

export function ChannelChips() {
  const { display, setDisplay } = useAppState();
  if (!display) return null;
  return (
    <Group gap={4} data-testid="channel-chips">
      {display.channels.map((c, i) => (
        <Chip
          key={i}
          size="xs"
          variant="outline"
          checked={c.visible}
          color={hex(c.color)}
          onChange={(v) => v !== c.visible && setDisplay(toggleChannel(display, i))}
          wrapperProps={{ 'data-testid': `chip-channel-${i + 1}` }}
        >
          w{i + 1} {CHANNEL_STAINS[i]}
        </Chip>
      ))}
    </Group>
  );
}
