import { useEffect, useState } from 'react';

/** The window's height minus what sits above a scrolling area (header, tabs), at least 320 px. */
export function useViewportHeight(above: number): number {
  const measure = () => Math.max(320, window.innerHeight - above);
  const [height, setHeight] = useState(measure);
  useEffect(() => {
    const onResize = () => setHeight(Math.max(320, window.innerHeight - above));
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, [above]);
  return height;
}
