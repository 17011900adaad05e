import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  Button,
  Dialog,
  Header,
  Heading,
  Menu,
  MenuItem,
  MenuSection,
  MenuTrigger,
  Modal,
  ModalOverlay,
  Popover,
  Separator,
} from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Locale } from '../i18n.js';
import { useWorkspace } from '../meta.js';
import { useSession } from '../session.js';

const LANGUAGES: { id: Locale; name: string }[] = [
  { id: 'en', name: 'English' },
  { id: 'zh-CN', name: '简体中文' },
];

/** Language (en ⇄ zh-CN, saved for the user), time zone and sign-out. */
export function UserMenu() {
  const { t } = useTranslation();
  const session = useSession();
  const queryClient = useQueryClient();
  const { me, locale, timeZone } = useWorkspace();
  const [zoneOpen, setZoneOpen] = useState(false);
  const name = me?.name || me?.email || '';

  const onAction = async (key: React.Key) => {
    if (key === 'sign-out') return session.signOut();
    if (key === 'zone') return setZoneOpen(true);
    if (key === 'en' || key === 'zh-CN') {
      await session.changeLocale(key);
      // Records carry labels and refusals in the language they were asked in.
      await queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'meta' });
    }
  };

  return (
    <>
      <MenuTrigger>
        <Button className="avatar" aria-label={t('shell.userMenu', { name })}>
          {name.slice(0, 1).toUpperCase()}
        </Button>
        <Popover className="popover" placement="bottom end">
          <Menu className="menu" onAction={(key) => void onAction(key)}>
            <MenuSection
              selectionMode="single"
              selectedKeys={[locale]}
              aria-label={t('shell.language')}
            >
              <Header className="menu-section-title">{t('shell.language')}</Header>
              {LANGUAGES.map((l) => (
                <MenuItem key={l.id} id={l.id} className="menu-item" lang={l.id}>
                  {l.name}
                </MenuItem>
              ))}
            </MenuSection>
            <Separator className="menu-separator" />
            <MenuItem id="zone" className="menu-item">
              {t('shell.timeZoneCurrent', { zone: timeZone })}
            </MenuItem>
            <Separator className="menu-separator" />
            <MenuItem id="sign-out" className="menu-item">
              {t('shell.signOut')}
            </MenuItem>
          </Menu>
        </Popover>
      </MenuTrigger>
      <ModalOverlay
        className="modal-overlay"
        isOpen={zoneOpen}
        onOpenChange={setZoneOpen}
        isDismissable
      >
        <Modal className="modal">
          <ZoneDialog current={me?.timeZone ?? null} onDone={() => setZoneOpen(false)} />
        </Modal>
      </ModalOverlay>
    </>
  );
}

function ZoneDialog({ current, onDone }: { current: string | null; onDone: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const queryClient = useQueryClient();
  const [zone, setZone] = useState(current ?? '');
  const [busy, setBusy] = useState(false);
  const zones = Intl.supportedValuesOf('timeZone');
  const save = async () => {
    setBusy(true);
    try {
      await session.api.updateMe({ timeZone: zone === '' ? null : zone });
      await queryClient.invalidateQueries();
      onDone();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog className="dialog">
      <Heading slot="title">{t('zone.title')}</Heading>
      <div className="field">
        <label htmlFor="zone-select">{t('zone.label')}</label>
        <select id="zone-select" value={zone} onChange={(e) => setZone(e.target.value)}>
          <option value="">{t('zone.workspace')}</option>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </div>
      <div className="row-between" style={{ justifyContent: 'flex-end' }}>
        <Button className="button" onPress={onDone}>
          {t('zone.cancel')}
        </Button>
        <Button className="button primary" onPress={() => void save()} isDisabled={busy}>
          {t('zone.save')}
        </Button>
      </div>
    </Dialog>
  );
}
